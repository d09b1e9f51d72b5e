package io.pipelinesecrets.lifecycle.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The safety net for completions that never arrive: an optional maximum run lifetime, per compute environment or
 * for all, after which a run's secrets are released as if it had completed ({@code LEASE_EXPIRED}). Off unless
 * configured: some pipelines legitimately run for weeks.
 *
 * @param defaultMaxLifetime lifetime for compute environments without their own, or null for none
 * @param byComputeEnv       lifetimes of particular compute environments
 */
public record LeasePolicy(Duration defaultMaxLifetime, Map<String, Duration> byComputeEnv) {

    public static final LeasePolicy NONE = new LeasePolicy(null, Map.of());

    public LeasePolicy {
        byComputeEnv = Map.copyOf(byComputeEnv);
    }

    /** When the run's lease ends, counted from its launch; empty when no lease applies. */
    public Optional<Instant> expiryOf(RunState run) {
        RunOrigin origin = run.origin();
        if (origin.target() == null || origin.launchedAt() == null) {
            return Optional.empty();
        }
        return lifetimeOf(origin.target().computeEnvId()).map(origin.launchedAt()::plus);
    }

    /** The maximum lifetime of runs in this compute environment, if a lease applies to it. */
    public Optional<Duration> lifetimeOf(String computeEnvId) {
        return Optional.ofNullable(byComputeEnv.getOrDefault(computeEnvId, defaultMaxLifetime));
    }
}
