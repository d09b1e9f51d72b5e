package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.resolution.SecretSetResolver;

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
 * @param callDeadline           how long one backend call may take, from the moment it is decided (a rate limiter's
 *                               queue included); past it the call is withdrawn and counts as a retryable failure
 * @param maxClockSkew           how far in the future a producer's {@code launchedAt} may be before the launch is
 *                               rejected (producers' clocks are not ours)
 * @param releasedRunRetention   how long a released run is remembered (it answers duplicates and late launches);
 *                               must exceed {@code staleLaunchAge + maxClockSkew}, or a replay of a forgotten run's
 *                               launch would be young enough to provision again
 * @param maxSecretsPerRun       the most secrets one run's merged set may hold; a larger set fails the run with
 *                               {@code TOO_MANY_SECRETS} instead of building an unbounded set in memory
 * @param computeEnvironments    which workspaces may launch on which compute environments (open by default)
 */
public record LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff,
                              Duration maxBackoff, LeasePolicy leases, Duration secretsWait, Duration callDeadline,
                              Duration maxClockSkew, Duration releasedRunRetention, int maxSecretsPerRun,
                              ComputeEnvironmentAccess computeEnvironments) {

    public static final Duration DEFAULT_SECRETS_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CALL_DEADLINE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    /** Longer than the workflow topics' 7-day retention, so a replay of the whole topic finds every run it names. */
    public static final Duration DEFAULT_RELEASED_RUN_RETENTION = Duration.ofDays(8);
    public static final int DEFAULT_MAX_SECRETS_PER_RUN = SecretSetResolver.DEFAULT_MAX_SECRETS;
    public static final LifecyclePolicy DEFAULTS =
            new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofSeconds(1), Duration.ofMinutes(5));

    public LifecyclePolicy {
        Objects.requireNonNull(staleLaunchAge, "staleLaunchAge");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(leases, "leases");
        Objects.requireNonNull(secretsWait, "secretsWait");
        Objects.requireNonNull(callDeadline, "callDeadline");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        Objects.requireNonNull(releasedRunRetention, "releasedRunRetention");
        Objects.requireNonNull(computeEnvironments, "computeEnvironments");
        for (Duration duration : new Duration[] {staleLaunchAge, initialBackoff, maxBackoff, secretsWait, callDeadline,
                releasedRunRetention}) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("lifecycle durations must be longer than zero, not " + duration);
            }
        }
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("lifecycle.max-clock-skew must not be negative, not " + maxClockSkew);
        }
        if (maxProvisionAttempts < 1) {
            throw new IllegalArgumentException("maxProvisionAttempts must be at least 1");
        }
        if (maxSecretsPerRun < 1) {
            throw new IllegalArgumentException("lifecycle.max-secrets-per-run must be at least 1");
        }
        if (staleLaunchAge.plus(maxClockSkew).compareTo(releasedRunRetention) >= 0) {
            throw new IllegalArgumentException("lifecycle.released-run-retention (" + releasedRunRetention
                    + ") must be longer than lifecycle.stale-launch-age (" + staleLaunchAge
                    + ") plus lifecycle.max-clock-skew (" + maxClockSkew + "): a replayed launch of a run already"
                    + " forgotten would otherwise be young enough to be provisioned again; raise the retention or"
                    + " lower the stale age");
        }
    }

    /** A policy without leases and with the default secrets wait, deadline, skew, retention and size cap. */
    public LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff, Duration maxBackoff) {
        this(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, LeasePolicy.NONE, DEFAULT_SECRETS_WAIT);
    }

    /** A policy with the default secrets wait, deadline, skew, retention and size cap. */
    public LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff, Duration maxBackoff,
                           LeasePolicy leases) {
        this(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, DEFAULT_SECRETS_WAIT);
    }

    /** A policy with the default deadline, skew, retention and size cap. */
    public LifecyclePolicy(Duration staleLaunchAge, int maxProvisionAttempts, Duration initialBackoff, Duration maxBackoff,
                           LeasePolicy leases, Duration secretsWait) {
        this(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, secretsWait,
                DEFAULT_CALL_DEADLINE, DEFAULT_MAX_CLOCK_SKEW, DEFAULT_RELEASED_RUN_RETENTION, DEFAULT_MAX_SECRETS_PER_RUN,
                ComputeEnvironmentAccess.OPEN);
    }

    public LifecyclePolicy withLeases(LeasePolicy newLeases) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, newLeases, secretsWait,
                callDeadline, maxClockSkew, releasedRunRetention, maxSecretsPerRun, computeEnvironments);
    }

    public LifecyclePolicy withSecretsWait(Duration newSecretsWait) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, newSecretsWait,
                callDeadline, maxClockSkew, releasedRunRetention, maxSecretsPerRun, computeEnvironments);
    }

    public LifecyclePolicy withCallDeadline(Duration newCallDeadline) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, secretsWait,
                newCallDeadline, maxClockSkew, releasedRunRetention, maxSecretsPerRun, computeEnvironments);
    }

    public LifecyclePolicy withMaxSecretsPerRun(int newMaxSecretsPerRun) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, secretsWait,
                callDeadline, maxClockSkew, releasedRunRetention, newMaxSecretsPerRun, computeEnvironments);
    }

    public LifecyclePolicy withComputeEnvironments(ComputeEnvironmentAccess newAccess) {
        return new LifecyclePolicy(staleLaunchAge, maxProvisionAttempts, initialBackoff, maxBackoff, leases, secretsWait,
                callDeadline, maxClockSkew, releasedRunRetention, maxSecretsPerRun, newAccess);
    }

    /** Delay after the given failed attempt (1-based): initial, 2x, 4x, ... capped at {@link #maxBackoff}. */
    public Duration backoffAfter(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        Duration delay = initialBackoff.multipliedBy(1L << doublings);
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }
}
