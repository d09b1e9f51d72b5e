package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.resolution.Resolution;
import io.pipelinesecrets.lifecycle.resolution.SecretSetResolver;
import io.pipelinesecrets.lifecycle.resolution.SecretSource;
import io.pipelinesecrets.lifecycle.run.RunInput.BackendDone;
import io.pipelinesecrets.lifecycle.run.RunInput.Completion;
import io.pipelinesecrets.lifecycle.run.RunInput.Launch;
import io.pipelinesecrets.lifecycle.run.RunInput.Operation;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run lifecycle of DESIGN.md section 5 as a pure function: (state, input, now) -> new state, backend
 * commands, audit facts. No I/O, no clock, no Kafka: the topology applies the result in one transaction.
 *
 * <p>The rules that keep secrets from leaking or vanishing:
 * <ul>
 *   <li>Only one backend call per run is in flight; an event that arrives meanwhile (a completion) waits in the
 *       state and is acted on when the call's results arrive, so per-run order holds.</li>
 *   <li>A completion always ends in the run's secrets being deleted, whatever phase it finds; a launch after a
 *       completion, a duplicate, or a stale launch provisions nothing.</li>
 *   <li>A permanent failure rolls back what was created; a refused secret is never deleted (it may belong to
 *       someone else). Releases are retried until they succeed.</li>
 * </ul>
 */
public final class RunStateMachine {

    /** Marks a completion the lease made, in place of a completion event id. */
    public static final String LEASE_EVENT_PREFIX = "lease-expired:";

    private final LifecyclePolicy policy;
    private final BackendCatalog backends;
    private final SecretSource secrets;
    private final SecretsProgress progress;

    /** A machine whose view of the secrets topic is always current: launches never wait for a watermark. */
    public RunStateMachine(LifecyclePolicy policy, BackendCatalog backends, SecretSource secrets) {
        this(policy, backends, secrets, SecretsProgress.CURRENT);
    }

    /** @param progress how far the view of the secrets topic has got, for launches carrying a secretsWatermark */
    public RunStateMachine(LifecyclePolicy policy, BackendCatalog backends, SecretSource secrets, SecretsProgress progress) {
        this.policy = policy;
        this.backends = backends;
        this.secrets = secrets;
        this.progress = progress;
    }

    /** @param state the run's current state, or null when the service has none */
    public Transition apply(RunState state, RunInput input, Instant now) {
        if (input instanceof Launch launch) {
            return onLaunch(state, launch, now);
        }
        if (input instanceof Completion completion) {
            return onCompletion(state, completion, now);
        }
        if (input instanceof BackendDone done) {
            return onBackendDone(state, done, now);
        }
        if (input instanceof RunInput.RetryDue) {
            boolean due = state != null && state.phase().isWorking() && !state.progress().inFlight()
                    && state.progress().nextAttemptAt() != null && !state.progress().nextAttemptAt().isAfter(now);
            return due ? nextAttempt(state, now, new ArrayList<>()) : Transition.unchanged(state, List.of());
        }
        if (input instanceof RunInput.LeaseDue) {
            return onLeaseDue(state, now);
        }
        if (input instanceof RunInput.SecretsCheck) {
            return onSecretsCheck(state, now);
        }
        if (input instanceof RunInput.Redrive) {
            boolean lostCall = state != null && state.phase().isWorking() && state.progress().inFlight();
            return lostCall ? nextAttempt(state, now, new ArrayList<>()) : Transition.unchanged(state, List.of());
        }
        throw new IllegalArgumentException("unknown input " + input.getClass().getName());
    }

    private Transition onLaunch(RunState state, Launch launch, Instant now) {
        if (state != null) {
            String reason = !state.origin().launched() ? AuditReasons.ALREADY_COMPLETED : AuditReasons.DUPLICATE;
            return Transition.unchanged(state, List.of(launchFact(launch, AuditAction.LAUNCH_SKIPPED, AuditOutcome.SKIPPED)
                    .reason(reason).build()));
        }
        if (Duration.between(launch.launchedAt(), now).compareTo(policy.staleLaunchAge()) > 0) {
            return new Transition(null, false, List.of(), List.of(
                    launchFact(launch, AuditAction.LAUNCH_SKIPPED, AuditOutcome.SKIPPED).reason(AuditReasons.STALE).build()));
        }
        Optional<String> backend = backends.backendFor(launch.target().platform());
        RunState fresh = RunState.launched(launch, backend.orElse(null), now);
        if (backend.isEmpty()) {
            return provisionFailed(fresh, AuditReasons.UNSUPPORTED_PLATFORM,
                    "no secrets backend serves platform " + SafeText.quoted(launch.target().platform()), null, now, new ArrayList<>());
        }
        if (!policy.computeEnvironments().mayUse(launch.target().workspaceId(), launch.target().computeEnvId())) {
            return provisionFailed(fresh, AuditReasons.COMPUTE_ENV_NOT_ALLOWED, "workspace "
                    + SafeText.quoted(launch.target().workspaceId()) + " may not use compute environment "
                    + SafeText.quoted(launch.target().computeEnvId()) + " (lifecycle.compute-env."
                    + launch.target().computeEnvId() + ".workspaces)", null, now, new ArrayList<>());
        }
        if (launch.awaited() != null && !progress.hasApplied(launch.awaited())) {
            // Resolving now could miss a secret the platform wrote just before the launch: wait, bounded.
            return Transition.to(RunState.awaitingSecrets(launch, backend.get(), now), List.of(), List.of());
        }
        return provision(fresh, now, new ArrayList<>());
    }

    /** Read-your-writes: provision once the awaited secrets are visible; fail the run once the wait is over. */
    private Transition onSecretsCheck(RunState state, Instant now) {
        if (state == null || state.phase() != Phase.AWAITING_SECRETS) {
            return Transition.unchanged(state, List.of());
        }
        if (state.awaitedSecrets() == null || progress.hasApplied(state.awaitedSecrets())) {
            return provision(state.secretsVisible(now), now, new ArrayList<>());
        }
        if (state.progress().startedAt().plus(policy.secretsWait()).isAfter(now)) {
            return Transition.unchanged(state, List.of());
        }
        return provisionFailed(state, AuditReasons.SECRETS_NOT_VISIBLE, "the secrets topic was not applied up to "
                + "the launch's secretsWatermark " + state.awaitedSecrets() + " within " + policy.secretsWait(),
                null, now, new ArrayList<>());
    }

    /** Resolves the run's set and calls the backend with all of it (first attempt, retries and re-drives alike). */
    private Transition provision(RunState state, Instant now, List<AuditFact> audits) {
        RunOrigin origin = state.origin();
        Resolution resolution = SecretSetResolver.resolve(origin.target().workspaceId(), origin.target().userId(),
                origin.selection(), secrets, policy.maxSecretsPerRun());
        if (resolution instanceof Resolution.Unresolvable unresolvable) {
            return provisionFailed(state, unresolvable.code(), unresolvable.reason(), null, now, audits);
        }
        List<Secret> set = ((Resolution.Resolved) resolution).secrets();
        RunState planned = state.withManifest(mergeIntoManifest(state.manifest(), set));
        if (set.isEmpty()) {
            return provisioned(planned, now, audits);
        }
        RunState calling = calling(planned, now);
        BackendCommand command = new BackendCommand.Provision(state.runId(), origin.backend(),
                calling.progress().attempt(), origin.target(), set);
        return Transition.to(calling, List.of(command), audits);
    }

    private Transition onBackendDone(RunState state, BackendDone done, Instant now) {
        boolean current = state != null && state.progress().inFlight() && state.progress().attempt() == done.attempt();
        if (current && done.operation() == Operation.PROVISION && state.phase() == Phase.PROVISIONING) {
            return onProvisionResults(state, done, now);
        }
        if (current && done.operation() == Operation.RELEASE
                && (state.phase() == Phase.RELEASING || state.phase() == Phase.ROLLING_BACK)) {
            return onReleaseResults(state, done, now);
        }
        // A result of an attempt the run has moved past (e.g. from before a re-drive): nothing to do.
        return Transition.unchanged(state, List.of());
    }

    private Transition onProvisionResults(RunState state, BackendDone done, Instant now) {
        List<AuditFact> audits = new ArrayList<>();
        Map<String, ManifestEntry> manifest = indexed(state.manifest());
        SecretOutcome.Failed permanent = null;
        SecretOutcome.Failed retryable = null;
        for (SecretOutcome outcome : done.outcomes()) {
            ManifestEntry entry = manifest.get(outcome.name());
            if (entry == null) {
                continue;
            }
            if (outcome instanceof SecretOutcome.Created created) {
                ManifestEntry confirmed = entry.withStatus(EntryStatus.CREATED, created.backendRef(), null);
                manifest.put(entry.name(), confirmed);
                if (entry.status() != EntryStatus.CREATED) {
                    audits.add(AuditFact.about(state, AuditAction.SECRET_CREATED, AuditOutcome.SUCCESS).secret(confirmed)
                            .attempt(done.attempt()).cause(state.origin().launchEventId()).duration(done.durationMs()).build());
                }
            } else if (outcome instanceof SecretOutcome.Failed failed) {
                boolean isPermanent = !failed.error().isRetryable();
                manifest.put(entry.name(), entry.withStatus(
                        isPermanent ? EntryStatus.REFUSED : entry.status(), null, failed.error().code()));
                if (isPermanent && permanent == null) {
                    permanent = failed;
                } else if (!isPermanent && retryable == null) {
                    retryable = failed;
                }
            }
        }
        RunState updated = state.withManifest(List.copyOf(manifest.values()));
        if (permanent != null) {
            BackendError error = permanent.error();
            return provisionFailed(updated, error.code(), error.message(), permanent.name(), now, audits);
        }
        if (retryable != null) {
            BackendError error = retryable.error();
            if (updated.progress().retryableFailures() + 1 >= policy.maxProvisionAttempts()) {
                return provisionFailed(updated, AuditReasons.RETRIES_EXHAUSTED, "gave up after " + done.attempt()
                        + " attempts; last error " + error.code() + ": " + error.message(), retryable.name(), now, audits);
            }
            if (updated.completed()) {
                return release(withReasonIfNone(updated, AuditReasons.COMPLETED_DURING_PROVISIONING)
                        .entering(Phase.RELEASING, now), now, audits);
            }
            audits.add(AuditFact.about(updated, AuditAction.PROVISION_RETRY_SCHEDULED, AuditOutcome.FAILURE)
                    .secretName(retryable.name()).attempt(done.attempt()).error(error.code(), error.message())
                    .cause(updated.origin().launchEventId()).reason(AuditReasons.RETRYABLE_FAILURE).build());
            Instant due = now.plus(policy.backoffAfter(updated.progress().retryableFailures() + 1));
            return Transition.to(retrying(updated, due, error, now), List.of(), audits);
        }
        return provisioned(updated, now, audits);
    }

    private Transition provisioned(RunState state, Instant now, List<AuditFact> audits) {
        audits.add(AuditFact.about(state, AuditAction.SECRETS_PROVISIONED, AuditOutcome.SUCCESS)
                .summary(state.namesWith(EntryStatus.CREATED)).attempt(state.progress().attempt())
                .cause(state.origin().launchEventId()).duration(millisSince(state.progress().startedAt(), now)).build());
        if (state.completed()) {
            return release(state.entering(Phase.RELEASING, now), now, audits);
        }
        return Transition.to(state.entering(Phase.ACTIVE, now), List.of(), audits);
    }

    private Transition provisionFailed(RunState state, String code, String message, String secretName, Instant now,
                                       List<AuditFact> audits) {
        audits.add(AuditFact.about(state, AuditAction.PROVISION_FAILED, AuditOutcome.FAILURE).secretName(secretName)
                .attempt(state.progress().attempt()).error(code, message).cause(state.origin().launchEventId()).build());
        RunState failed = state.withLastError(new RunError(code, message));
        return release(withReleaseReason(failed, AuditReasons.PROVISION_FAILED).entering(Phase.ROLLING_BACK, now), now,
                audits);
    }

    private Transition onCompletion(RunState state, Completion completion, Instant now) {
        if (state == null) {
            RunState released = RunState.completedWithoutLaunch(completion, now);
            return Transition.to(released, List.of(), List.of(
                    AuditFact.of(AuditAction.COMPLETION_WITHOUT_LAUNCH, AuditOutcome.SKIPPED).run(completion.runId())
                            .owners(completion.workspaceId(), null, null).cause(completion.eventId()).build()));
        }
        RunTarget target = state.origin().target();
        if (!blank(completion.workspaceId()) && target != null && !completion.workspaceId().equals(target.workspaceId())) {
            // Another workspace's producer must not be able to end this run (and delete its secrets under it).
            return Transition.rejected(state, AuditReasons.WORKSPACE_MISMATCH, "the completion names workspace "
                    + SafeText.quoted(completion.workspaceId()) + " but run " + state.runId() + " was launched in "
                    + SafeText.quoted(target.workspaceId()));
        }
        if (state.completed()) {
            String reason = state.ending().completionEventId().startsWith(LEASE_EVENT_PREFIX)
                    ? AuditReasons.LEASE_EXPIRED : AuditReasons.DUPLICATE;
            return Transition.unchanged(state, List.of(AuditFact.about(state, AuditAction.COMPLETION_SKIPPED,
                    AuditOutcome.SKIPPED).cause(completion.eventId()).reason(reason).build()));
        }
        return completeRun(state.withCompletion(completion.eventId(), now), now, new ArrayList<>());
    }

    /**
     * The lease net: a run still holding secrets past its maximum lifetime is released as if it had completed;
     * a completion that arrives later is skipped.
     */
    private Transition onLeaseDue(RunState state, Instant now) {
        if (state == null || state.completed() || !state.phase().mayHoldSecrets()) {
            return Transition.unchanged(state, List.of());
        }
        Optional<Instant> expiry = policy.leases().expiryOf(state);
        if (expiry.isEmpty() || expiry.get().isAfter(now)) {
            return Transition.unchanged(state, List.of());
        }
        String leaseEvent = LEASE_EVENT_PREFIX + state.runId();
        List<AuditFact> audits = new ArrayList<>();
        audits.add(AuditFact.about(state, AuditAction.LEASE_EXPIRED, AuditOutcome.SUCCESS).cause(leaseEvent)
                .reason(AuditReasons.LEASE_EXPIRED).build());
        return completeRun(withReleaseReason(state.withCompletion(leaseEvent, now), AuditReasons.LEASE_EXPIRED), now, audits);
    }

    /** A completion (or an expired lease) ends in the run's secrets being deleted, whatever phase it finds. */
    private Transition completeRun(RunState completed, Instant now, List<AuditFact> audits) {
        return switch (completed.phase()) {
            case ACTIVE, FAILED -> release(completed.entering(Phase.RELEASING, now), now, audits);
            // Nothing was created yet: the release finds nothing to delete and finishes at once.
            case AWAITING_SECRETS -> release(withReasonIfNone(completed, AuditReasons.COMPLETED_DURING_PROVISIONING)
                    .entering(Phase.RELEASING, now), now, audits);
            // A call is in flight: the completion waits in the state and is acted on when the results arrive.
            case PROVISIONING -> completed.progress().inFlight()
                    ? Transition.to(completed, List.of(), audits)
                    : release(withReasonIfNone(completed, AuditReasons.COMPLETED_DURING_PROVISIONING)
                            .entering(Phase.RELEASING, now), now, audits);
            // The rollback goes on; when it ends the run is released.
            case ROLLING_BACK -> Transition.to(completed, List.of(), audits);
            case RELEASING, RELEASED -> Transition.unchanged(completed, audits);
        };
    }

    private static RunState withReasonIfNone(RunState state, String reason) {
        return state.ending().releaseReason() == null ? withReleaseReason(state, reason) : state;
    }

    private static RunState withReleaseReason(RunState state, String reason) {
        return state.withEnding(state.ending().because(reason));
    }

    /** The next attempt's backend call is made now. */
    private static RunState calling(RunState state, Instant now) {
        return state.withProgress(state.progress().calling(), now);
    }

    /** The current attempt failed with {@code error}; the next one is due at {@code due}. */
    private static RunState retrying(RunState state, Instant due, BackendError error, Instant now) {
        return state.withProgress(state.progress().retryingAt(due), now)
                .withLastError(new RunError(error.code(), error.message()));
    }

    /** Deletes what the manifest says may exist; with nothing left to delete, finishes at once. */
    private Transition release(RunState state, Instant now, List<AuditFact> audits) {
        List<ManifestEntry> toDelete = state.toDelete();
        if (toDelete.isEmpty()) {
            return released(state, now, audits);
        }
        RunState calling = calling(state, now);
        List<StoredSecret> stored = toDelete.stream().map(e -> new StoredSecret(e.name(), e.backendRef())).toList();
        BackendCommand command = new BackendCommand.Release(state.runId(), state.origin().backend(),
                calling.progress().attempt(), state.origin().target(), stored);
        return Transition.to(calling, List.of(command), audits);
    }

    private Transition onReleaseResults(RunState state, BackendDone done, Instant now) {
        List<AuditFact> audits = new ArrayList<>();
        boolean rollingBack = state.phase() == Phase.ROLLING_BACK;
        String cause = rollingBack ? state.origin().launchEventId() : state.ending().completionEventId();
        Map<String, ManifestEntry> manifest = indexed(state.manifest());
        SecretOutcome.Failed firstFailure = null;
        boolean anyPermanent = false;
        for (SecretOutcome outcome : done.outcomes()) {
            ManifestEntry entry = manifest.get(outcome.name());
            if (entry == null) {
                continue;
            }
            if (outcome instanceof SecretOutcome.Deleted) {
                ManifestEntry deleted = entry.withStatus(EntryStatus.DELETED, null, null);
                manifest.put(entry.name(), deleted);
                audits.add(AuditFact.about(state, AuditAction.SECRET_DELETED, AuditOutcome.SUCCESS).secret(deleted)
                        .attempt(done.attempt()).cause(cause).duration(done.durationMs())
                        .reason(rollingBack ? AuditReasons.ROLLBACK : null).build());
            } else if (outcome instanceof SecretOutcome.Failed failed) {
                manifest.put(entry.name(), entry.withStatus(entry.status(), null, failed.error().code()));
                anyPermanent |= !failed.error().isRetryable();
                if (firstFailure == null) {
                    firstFailure = failed;
                }
            }
        }
        RunState updated = state.withManifest(List.copyOf(manifest.values()));
        if (firstFailure == null && updated.toDelete().isEmpty()) {
            return released(updated, now, audits);
        }
        BackendError error = firstFailure != null ? firstFailure.error()
                : BackendError.retryable("INCOMPLETE", "the backend reported no outcome for some secrets");
        // Releases never give up: a secret that outlives its run is a leak. Failures are loud instead: a
        // permanent error, or retryable ones going on as long as would fail a provisioning, is RELEASE_FAILED
        // (dashboards alert on it), and the retries go on at the capped backoff until the backend lets them succeed.
        boolean stillFailing = updated.progress().retryableFailures() + 1 == policy.maxProvisionAttempts();
        boolean alarm = anyPermanent || stillFailing;
        audits.add(AuditFact.about(updated, alarm ? AuditAction.RELEASE_FAILED : AuditAction.RELEASE_RETRY_SCHEDULED,
                        AuditOutcome.FAILURE)
                .secretName(firstFailure == null ? null : firstFailure.name()).attempt(done.attempt())
                .error(error.code(), error.message()).cause(cause)
                .reason(anyPermanent ? AuditReasons.PERMANENT_FAILURE
                        : stillFailing ? AuditReasons.STILL_FAILING : AuditReasons.RETRYABLE_FAILURE).build());
        Instant due = now.plus(policy.backoffAfter(updated.progress().retryableFailures() + 1));
        return Transition.to(retrying(updated, due, error, now), List.of(), audits);
    }

    /** Everything that needed deleting is gone: a rollback without completion ends FAILED, anything else RELEASED. */
    private Transition released(RunState state, Instant now, List<AuditFact> audits) {
        if (state.phase() == Phase.ROLLING_BACK && !state.completed()) {
            return Transition.to(state.entering(Phase.FAILED, now), List.of(), audits);
        }
        audits.add(AuditFact.about(state, AuditAction.SECRETS_RELEASED, AuditOutcome.SUCCESS)
                .summary(state.namesWith(EntryStatus.DELETED)).attempt(state.progress().attempt())
                .cause(state.ending().completionEventId()).duration(millisSince(state.progress().startedAt(), now))
                .reason(state.ending().releaseReason()).build());
        return Transition.to(state.entering(Phase.RELEASED, now), List.of(), audits);
    }

    /** The timer fired or the run was found in flight after a restart: make the next attempt of its operation. */
    private Transition nextAttempt(RunState state, Instant now, List<AuditFact> audits) {
        if (state.phase() == Phase.PROVISIONING) {
            return provision(state, now, audits);
        }
        return release(state, now, audits);
    }

    private static Map<String, ManifestEntry> indexed(List<ManifestEntry> manifest) {
        Map<String, ManifestEntry> byName = new LinkedHashMap<>();
        manifest.forEach(e -> byName.put(e.name(), e));
        return byName;
    }

    /**
     * The manifest after (re-)resolving: every secret of the set, keeping what is known about those already
     * there (unless the value's version changed, which makes it pending again), and every earlier entry that
     * may still need deleting.
     */
    private static List<ManifestEntry> mergeIntoManifest(List<ManifestEntry> manifest, List<Secret> set) {
        Map<String, ManifestEntry> merged = indexed(manifest);
        for (Secret secret : set) {
            ManifestEntry known = merged.get(secret.name());
            if (known == null || known.version() != secret.version() || known.status() == EntryStatus.DELETED) {
                merged.put(secret.name(), new ManifestEntry(secret.name(), secret.scope(), secret.version(),
                        EntryStatus.PENDING, known == null ? null : known.backendRef(), null));
            }
        }
        return List.copyOf(merged.values());
    }

    private static AuditFact.Builder launchFact(Launch launch, AuditAction action, AuditOutcome outcome) {
        return AuditFact.of(action, outcome).run(launch.runId())
                .owners(launch.target().workspaceId(), launch.target().userId(), launch.target().computeEnvId())
                .cause(launch.eventId());
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static Long millisSince(Instant start, Instant now) {
        return start == null ? null : Math.max(0, Duration.between(start, now).toMillis());
    }
}
