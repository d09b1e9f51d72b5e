package io.pipelinesecrets.lifecycle.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Timers of one kind (a retry, a lease, a call's deadline, a look at a run awaiting secrets), at most one per run,
 * each optionally carrying what it is for. Nothing fires by itself: the lifecycle processor asks for what is
 * {@link #due(Instant) due} on each punctuation, so a timer is applied on the stream thread, inside the
 * transaction, like any other input.
 *
 * <p>Timers due together come out earliest first, and in the order they were scheduled when due at the same instant,
 * so a punctuation's output does not depend on hashing. Timers live in memory only: the run-state store is what
 * survives a restart, and the processor schedules them again from it when its task starts.
 *
 * <p>Not thread-safe: the stream thread alone uses it.
 *
 * @param <T> what a timer carries (Void when its run id says everything)
 */
final class RunTimers<T> {

    /** A timer: the run it belongs to, when it is due, and what it carries (may be null). */
    record Timer<T>(String runId, Instant at, T payload) {
    }

    private record Entry<T>(Timer<T> timer, long sequence) {
    }

    private static final Comparator<Entry<?>> EARLIEST_FIRST =
            Comparator.<Entry<?>, Instant>comparing(entry -> entry.timer().at()).thenComparingLong(Entry::sequence);

    private final Map<String, Entry<T>> byRun = new HashMap<>();
    private final TreeSet<Entry<T>> byTime = new TreeSet<>(EARLIEST_FIRST);
    private long sequence;

    /** Schedules the run's timer at {@code at}, replacing the one it had. */
    Optional<T> schedule(String runId, Instant at) {
        return schedule(runId, at, null);
    }

    /**
     * Schedules the run's timer at {@code at} with {@code payload}, replacing the one it had.
     *
     * @return the payload of the timer replaced, if it had one
     */
    Optional<T> schedule(String runId, Instant at, T payload) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        Optional<T> replaced = remove(runId);
        Entry<T> entry = new Entry<>(new Timer<>(runId, at, payload), sequence++);
        byRun.put(runId, entry);
        byTime.add(entry);
        return replaced;
    }

    /** @return whether the run had a timer */
    boolean cancel(String runId) {
        Entry<T> entry = byRun.remove(runId);
        if (entry == null) {
            return false;
        }
        byTime.remove(entry);
        return true;
    }

    /**
     * Cancels every timer.
     *
     * @return the payloads they carried (none for a timer without one), earliest first
     */
    List<T> cancelAll() {
        List<T> payloads = new ArrayList<>();
        for (Entry<T> entry : byTime) {
            if (entry.timer().payload() != null) {
                payloads.add(entry.timer().payload());
            }
        }
        byRun.clear();
        byTime.clear();
        return payloads;
    }

    /**
     * Takes the timers due at {@code now} or before, earliest first. They are cancelled: one scheduled while they
     * are being handled (a retry the handling decides) waits for the next call.
     */
    List<Timer<T>> due(Instant now) {
        List<Timer<T>> due = new ArrayList<>();
        while (!byTime.isEmpty() && !byTime.first().timer().at().isAfter(now)) {
            Entry<T> entry = byTime.pollFirst();
            byRun.remove(entry.timer().runId());
            due.add(entry.timer());
        }
        return due;
    }

    boolean isScheduled(String runId) {
        return byRun.containsKey(runId);
    }

    /** The run's timer, if it has one. */
    Optional<Timer<T>> get(String runId) {
        return Optional.ofNullable(byRun.get(runId)).map(Entry::timer);
    }

    int size() {
        return byRun.size();
    }

    boolean isEmpty() {
        return byRun.isEmpty();
    }

    private Optional<T> remove(String runId) {
        Entry<T> previous = byRun.remove(runId);
        if (previous == null) {
            return Optional.empty();
        }
        byTime.remove(previous);
        return Optional.ofNullable(previous.timer().payload());
    }
}
