package io.pipelinesecrets.testing.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one way the tests wait: probe, test, pause, until a deadline; on timeout an {@link AssertionError} that says
 * what was awaited, for how long, and what the last probe observed.
 *
 * <pre>{@code
 * Await.atMost(Duration.ofSeconds(60)).until("the service ready", service::ready);
 * List<AuditEvent> events = Await.atMost(WAIT).every(Duration.ZERO)
 *         .until("3 audit events", log::poll, seen -> seen.size() >= 3, seen -> seen.size() + " events: " + seen);
 * }</pre>
 *
 * <ul>
 *   <li>The probe runs at least once, even with a zero timeout, and once more after the deadline would be
 *       crossed by the pause, so a condition met just in time is not reported as a timeout.</li>
 *   <li>{@link #every} sets the pause between probes (default {@link #DEFAULT_POLL}); {@link Duration#ZERO} for
 *       a probe that blocks by itself, such as {@code consumer.poll(timeout)}.</li>
 *   <li>A probe's exception ends the wait and propagates (unchecked as is, checked wrapped in an
 *       {@link IllegalStateException}), unless {@link #ignoring} names its type: then it counts as "not yet", and
 *       the last one becomes the timeout's cause. A probe may throw on purpose to fail fast (a process that died).</li>
 *   <li>An interrupt ends the wait with an {@link IllegalStateException}, the interrupt flag restored.</li>
 * </ul>
 * Instances are immutable; {@link #every} and {@link #ignoring} return changed copies.
 */
public final class Await {

    /** The pause between probes unless {@link #every} says otherwise. */
    public static final Duration DEFAULT_POLL = Duration.ofMillis(50);

    /** Something to observe; may throw, see {@link #ignoring}. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** A condition that needs no description of what it saw beyond true or false. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private final Duration timeout;
    private final Duration poll;
    private final List<Class<? extends Exception>> ignored;

    private Await(Duration timeout, Duration poll, List<Class<? extends Exception>> ignored) {
        this.timeout = timeout;
        this.poll = poll;
        this.ignored = ignored;
    }

    /** Waits of at most {@code timeout}. */
    public static Await atMost(Duration timeout) {
        if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        return new Await(timeout, DEFAULT_POLL, List.of());
    }

    /** Pauses {@code interval} between probes ({@link Duration#ZERO}: none, for a probe that blocks itself). */
    public Await every(Duration interval) {
        if (Objects.requireNonNull(interval, "interval").isNegative()) {
            throw new IllegalArgumentException("negative poll interval " + interval);
        }
        return new Await(timeout, interval, ignored);
    }

    /** Treats a probe that throws {@code type} (or a subtype) as "not yet" rather than as the end of the wait. */
    public Await ignoring(Class<? extends Exception> type) {
        List<Class<? extends Exception>> types = new ArrayList<>(ignored);
        types.add(Objects.requireNonNull(type, "type"));
        return new Await(timeout, poll, List.copyOf(types));
    }

    /** Waits until {@code condition} holds. */
    public void until(String expectation, Condition condition) {
        until(expectation, condition::holds, Boolean::booleanValue, held -> "not yet");
    }

    /**
     * Waits until the probed value satisfies {@code done} and returns it; a timeout shows the last value as
     * {@link String#valueOf}.
     */
    public <T> T until(String expectation, Probe<? extends T> probe, Predicate<? super T> done) {
        return until(expectation, probe, done, String::valueOf);
    }

    /**
     * Waits until the probed value satisfies {@code done} and returns it; a timeout shows the last value as
     * {@code describe} tells (for a value too big to print whole, or that needs words).
     */
    public <T> T until(String expectation, Probe<? extends T> probe, Predicate<? super T> done,
                       Function<? super T, String> describe) {
        Objects.requireNonNull(expectation, "expectation");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int probes = 0;
        while (true) {
            T seen = null;
            Exception failure = null;
            probes++;
            try {
                seen = probe.get();
            } catch (InterruptedException e) {
                throw interrupted(expectation, e);
            } catch (Exception e) {
                if (ignored.stream().noneMatch(type -> type.isInstance(e))) {
                    throw e instanceof RuntimeException unchecked ? unchecked
                            : new IllegalStateException("probing for " + expectation + " failed", e);
                }
                failure = e;
            }
            if (failure == null && done.test(seen)) {
                return seen;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                String observed = failure != null ? "the probe failed: " + failure : describe.apply(seen);
                AssertionError timedOut = new AssertionError("expected " + expectation + " within " + timeout
                        + " (" + probes + " probes over " + Duration.ofNanos(now - start).toMillis()
                        + " ms); last observed: " + observed);
                if (failure != null) {
                    timedOut.initCause(failure);
                }
                throw timedOut;
            }
            pause(Math.min(poll.toNanos(), deadline - now), expectation);
        }
    }

    private static void pause(long nanos, String expectation) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            throw interrupted(expectation, e);
        }
    }

    private static IllegalStateException interrupted(String expectation, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while waiting for " + expectation, e);
    }
}
