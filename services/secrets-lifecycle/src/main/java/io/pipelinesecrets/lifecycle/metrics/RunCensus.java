package io.pipelinesecrets.lifecycle.metrics;

import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the run states held by this instance add up to, for the gauges:
 * <ul>
 *   <li>{@code inFlight}: runs per non-final phase ({@link #COUNTED_PHASES});</li>
 *   <li>{@code retryQueueDepth}: working runs with no call in flight and a next attempt scheduled, i.e. waiting
 *       for a retry timer (the same rule the lifecycle processor schedules its timers by);</li>
 *   <li>{@code releaseFailuresOutstanding}: runs releasing or rolling back whose current release has failed at
 *       least once (retryable or permanent), i.e. cleanup that is late and being retried;</li>
 *   <li>{@code oldestActiveLaunch}: the earliest launch time of a run that may still hold secrets.</li>
 * </ul>
 * Pure: no clock, no store; {@link Tally} adds states up one by one.
 */
public record RunCensus(Map<Phase, Long> inFlight, long retryQueueDepth, long releaseFailuresOutstanding,
                        Optional<Instant> oldestActiveLaunch) {

    /** The phases {@code runs_in_flight} reports, each always (zero included). */
    public static final List<Phase> COUNTED_PHASES = List.of(Phase.AWAITING_SECRETS, Phase.PROVISIONING, Phase.ACTIVE,
            Phase.RELEASING, Phase.ROLLING_BACK);

    public static final RunCensus EMPTY = new Tally().census();

    public RunCensus {
        inFlight = Map.copyOf(inFlight);
    }

    public long inFlight(Phase phase) {
        return inFlight.getOrDefault(phase, 0L);
    }

    /** Seconds since the oldest active run was launched; 0 when none is active (or it claims a future launch). */
    public double oldestActiveAgeSeconds(Instant now) {
        return oldestActiveLaunch.map(launched -> Math.max(0, Duration.between(launched, now).toMillis()) / 1000.0)
                .orElse(0.0);
    }

    /** Adds run states up; not thread-safe, one per census. */
    public static final class Tally {
        private final Map<Phase, Long> inFlight = new EnumMap<>(Phase.class);
        private long retryQueueDepth;
        private long releaseFailuresOutstanding;
        private Instant oldestActiveLaunch;

        public Tally() {
            COUNTED_PHASES.forEach(phase -> inFlight.put(phase, 0L));
        }

        public void add(RunState state) {
            Phase phase = state.phase();
            if (inFlight.containsKey(phase)) {
                inFlight.merge(phase, 1L, Long::sum);
            }
            OperationProgress progress = state.progress();
            if (phase.isWorking() && !progress.inFlight() && progress.nextAttemptAt() != null) {
                retryQueueDepth++;
            }
            if ((phase == Phase.RELEASING || phase == Phase.ROLLING_BACK) && progress.retryableFailures() > 0) {
                releaseFailuresOutstanding++;
            }
            Instant launchedAt = state.origin().launchedAt();
            if (phase.mayHoldSecrets() && launchedAt != null
                    && (oldestActiveLaunch == null || launchedAt.isBefore(oldestActiveLaunch))) {
                oldestActiveLaunch = launchedAt;
            }
        }

        public RunCensus census() {
            return new RunCensus(inFlight, retryQueueDepth, releaseFailuresOutstanding,
                    Optional.ofNullable(oldestActiveLaunch));
        }
    }
}
