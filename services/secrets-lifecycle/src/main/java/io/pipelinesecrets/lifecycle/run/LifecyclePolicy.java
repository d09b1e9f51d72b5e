package io.pipelinesecrets.lifecycle.run;

import java.time.Duration;
import java.util.Objects;

/**
 * The tunable rules of the lifecycle.
 *
 * @param staleLaunchAge         a launch older than this with no state is not provisioned: replaying an old topic must
 *                               not resurrect secrets (default 24 h)
 * @param maxProvisionAttempts   retryable provisioning failures tolerated before the run's provisioning fails
 * @param initialBackoff         delay before the first retry; doubles per attempt
 * @param maxBackoff             cap of the retry delay; releases are retried at this pace forever
 * @param leases                 maximum run lifetimes, the net for completions that never arrive (none by default)
 * @param secretsWait            how long a launch waits for its secretsWatermark to be applied before its provisioning
 *                               fails (default 30 s)
 */
public record LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff,
                              Duration maxBackoff, LeasePolicy leases, Duration secretsWait) {

    public static final Duration DEFAULT_SECRETS_WAIT = Duration.ofSeconds(30);
    public static final LifecyclePolicy DEFAULTS =
            new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofSeconds(1), Duration.ofMinutes(5));

    public LifecyclePolicy {
        Objects.requireNonNull(staleLaunchAge, "staleLaunchAge");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(leases, "leases");
        Objects.requireNonNull(secretsWait, "secretsWait");
        for (Duration duration : new Duration[] {staleLaunchAge, initialBackoff, maxBackoff, secretsWait}) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("lifecycle durations must be longer than zero, not " + duration);
            }
        }
        if (maxProvisionAttempts < 1) {
            throw new IllegalArgumentException("maxProvisionAttempts must be at least 1");
        }
    }

    /** A policy without leases and with the default secrets wait. */
    public LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff, Duration maxBackoff) {
        this(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, LeasePolicy.NONE, DEFAULT_SECRETS_WAIT);
    }

    /** A policy with the default secrets wait. */
    public LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff, Duration maxBackoff,
                           LeasePolicy leases) {
        this(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, DEFAULT_SECRETS_WAIT);
    }

    public LifecyclePolicy withLeases(LeasePolicy newLeases) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, newLeases, secretsWait);
    }

    public LifecyclePolicy withSecretsWait(Duration newSecretsWait) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, newSecretsWait);
    }

    /** Delay after the given failed attempt (1-based): initial, 2x, 4x, ... capped at {@link #maxBackoff}. */
    public Duration backoffAfter(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        Duration delay = initialBackoff.multipliedBy(1L << doublings);
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }
}
