package io.pipelinesecrets.lifecycle.run;

import java.time.Instant;

/**
 * How far the run's current backend operation (provision, release, rollback) has got.
 *
 * @param attempt           number of the latest backend call, 0 before the first; it keeps counting across
 *                          operations, so that a late result of an earlier operation's call never matches
 * @param inFlight          a backend call of {@code attempt} is outstanding
 * @param nextAttemptAt     when not in flight and still working: when the next attempt is due
 * @param retryableFailures failed attempts of the current operation (re-drives after a restart do not count)
 * @param startedAt         when the current operation began, for durations
 */
public record OperationProgress(int attempt, boolean inFlight, Instant nextAttemptAt, int retryableFailures,
                                Instant startedAt) {

    /** Nothing called yet. */
    static OperationProgress startingAt(Instant now) {
        return new OperationProgress(0, false, null, 0, now);
    }

    /** A new operation begins: its clock, failure count and schedule start afresh; the attempt number goes on. */
    OperationProgress restartedAt(Instant now) {
        return new OperationProgress(attempt, false, null, 0, now);
    }

    /** The next attempt's backend call is made. */
    OperationProgress calling() {
        return new OperationProgress(attempt + 1, true, null, retryableFailures, startedAt);
    }

    /** The current attempt failed; the next one is due at {@code at}. */
    OperationProgress retryingAt(Instant at) {
        return new OperationProgress(attempt, false, at, retryableFailures + 1, startedAt);
    }
}
