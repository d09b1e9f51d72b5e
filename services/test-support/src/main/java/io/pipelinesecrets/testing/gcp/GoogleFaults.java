package io.pipelinesecrets.testing.gcp;

import io.grpc.Status;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the Secret Manager double does wrong, scripted by a test: bursts of a status on one method ({@code
 * UNAVAILABLE} bursts, {@code RESOURCE_EXHAUSTED} storms), answers lost after a call was applied, an outage of every call, added latency, and projects the
 * caller may not touch ({@code PERMISSION_DENIED}). Checked before a call changes anything, so a failed call has no
 * effect, as with Google.
 */
public final class GoogleFaults {

    private final Map<String, Burst> bursts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lostAnswers = new ConcurrentHashMap<>();
    private final Set<String> deniedProjects = new CopyOnWriteArraySet<>();
    private final AtomicReference<Duration> latency = new AtomicReference<>(Duration.ZERO);
    private volatile boolean outage;

    /** The next {@code times} calls of {@code method} (e.g. "CreateSecret") fail with {@code code}. */
    public GoogleFaults failNext(String method, Status.Code code, int times) {
        bursts.put(method, new Burst(code, new AtomicInteger(times)));
        return this;
    }

    /**
     * The next {@code times} calls of {@code method} that succeed are applied, but their answer is lost: the caller
     * hears UNAVAILABLE. What a retry then finds is the test of idempotency.
     */
    public GoogleFaults loseAnswers(String method, int times) {
        lostAnswers.put(method, new AtomicInteger(times));
        return this;
    }

    /** Every call fails with UNAVAILABLE until the outage ends. */
    public GoogleFaults outage(boolean on) {
        this.outage = on;
        return this;
    }

    public GoogleFaults latency(Duration added) {
        latency.set(added);
        return this;
    }

    /** Calls naming this project fail with PERMISSION_DENIED. */
    public GoogleFaults denyProject(String project) {
        deniedProjects.add(project);
        return this;
    }

    public GoogleFaults clear() {
        bursts.clear();
        lostAnswers.clear();
        deniedProjects.clear();
        latency.set(Duration.ZERO);
        outage = false;
        return this;
    }

    /** The status this call fails with, if any; waits out the added latency first. */
    Optional<Status> before(String method, String project) {
        Duration delay = latency.get();
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of(Status.CANCELLED);
            }
        }
        if (outage) {
            return Optional.of(Status.UNAVAILABLE.withDescription("the double is in an outage"));
        }
        if (project != null && deniedProjects.contains(project)) {
            return Optional.of(Status.PERMISSION_DENIED.withDescription("Permission denied on project " + project));
        }
        Burst burst = bursts.get(method);
        if (burst != null && burst.remaining().getAndDecrement() > 0) {
            return Optional.of(Status.fromCode(burst.code()).withDescription("scripted " + burst.code() + " on " + method));
        }
        return Optional.empty();
    }

    boolean loseAnswer(String method) {
        AtomicInteger remaining = lostAnswers.get(method);
        return remaining != null && remaining.getAndDecrement() > 0;
    }

    private record Burst(Status.Code code, AtomicInteger remaining) {
    }
}
