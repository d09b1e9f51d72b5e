package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the service remembers about one run, kept in a changelogged state store keyed by run id. It holds
 * the manifest — what was provisioned where — and never a secret value: values are resolved again from the
 * secrets topic whenever a provisioning attempt needs them.
 *
 * @param launchEventId     null when the completion arrived first
 * @param completionEventId set once a completion arrived; while the run is still working it waits here
 * @param attempt           number of the current backend operation (provision or release), 0 before the first
 * @param inFlight          a backend call of {@code attempt} is outstanding
 * @param nextAttemptAt     when not in flight and still working: when the next attempt is due
 * @param retryableFailures failed attempts of the current operation (re-drives after a restart do not count)
 * @param operationStartedAt when the current operation (provision, release, rollback) began, for durations
 * @param releaseReason     why the release summary will not be an ordinary one (e.g. provisioning had failed)
 * @param awaitedSecrets    while AWAITING_SECRETS: the secrets-topic positions the launch waits for
 */
public record RunState(
        String runId,
        RunTarget target,
        Phase phase,
        String backend,
        String launchEventId,
        Instant launchedAt,
        Selection selection,
        String completionEventId,
        List<ManifestEntry> manifest,
        int attempt,
        boolean inFlight,
        Instant nextAttemptAt,
        int retryableFailures,
        String lastErrorCode,
        String lastErrorMessage,
        Instant operationStartedAt,
        Instant updatedAt,
        String releaseReason,
        SecretsPosition awaitedSecrets) {

    public RunState {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(phase, "phase");
        manifest = manifest == null ? List.of() : List.copyOf(manifest);
    }

    public boolean completed() {
        return completionEventId != null;
    }

    /**
     * Whether the state may be forgotten: the run is released and has not changed for longer than the retention.
     * Until then it answers duplicates and late launches; after it, the stale-launch rule guards replays, as long
     * as the retention exceeds the stale-launch age.
     */
    public boolean forgettable(Instant now, java.time.Duration retention) {
        return phase == Phase.RELEASED && updatedAt != null && updatedAt.plus(retention).isBefore(now);
    }

    /** The entries a release must delete. */
    public List<ManifestEntry> toDelete() {
        return manifest.stream().filter(e -> e.status().needsDelete()).toList();
    }

    /** Names of the secrets the backend confirmed, for run summaries. */
    List<String> namesWith(EntryStatus status) {
        return manifest.stream().filter(e -> e.status() == status).map(ManifestEntry::name).toList();
    }

    /** A new operation (provision, release, rollback) starts: its clock, failure count and schedule start afresh. */
    RunState entering(Phase newPhase, Instant now) {
        return new RunState(runId, target, newPhase, backend, launchEventId, launchedAt, selection, completionEventId,
                manifest, attempt, false, null, 0, lastErrorCode, lastErrorMessage, now, now, releaseReason, null);
    }

    /** The awaited secrets are visible: provisioning starts, timed from the launch so its duration includes the wait. */
    RunState secretsVisible(Instant now) {
        return new RunState(runId, target, Phase.PROVISIONING, backend, launchEventId, launchedAt, selection,
                completionEventId, manifest, attempt, inFlight, nextAttemptAt, retryableFailures, lastErrorCode,
                lastErrorMessage, operationStartedAt, now, releaseReason, null);
    }

    RunState withManifest(List<ManifestEntry> newManifest) {
        return new RunState(runId, target, phase, backend, launchEventId, launchedAt, selection, completionEventId,
                newManifest, attempt, inFlight, nextAttemptAt, retryableFailures, lastErrorCode, lastErrorMessage,
                operationStartedAt, updatedAt, releaseReason, awaitedSecrets);
    }

    /** The next attempt's backend call is made now. */
    RunState calling(Instant now) {
        return new RunState(runId, target, phase, backend, launchEventId, launchedAt, selection, completionEventId,
                manifest, attempt + 1, true, null, retryableFailures, lastErrorCode, lastErrorMessage,
                operationStartedAt, now, releaseReason, awaitedSecrets);
    }

    /** The current attempt failed; the next one is due at {@code at}. */
    RunState retryingAt(Instant at, String errorCode, String errorMessage, Instant now) {
        return new RunState(runId, target, phase, backend, launchEventId, launchedAt, selection, completionEventId,
                manifest, attempt, false, at, retryableFailures + 1, errorCode, errorMessage, operationStartedAt, now, releaseReason, awaitedSecrets);
    }

    RunState withError(String errorCode, String errorMessage) {
        return new RunState(runId, target, phase, backend, launchEventId, launchedAt, selection, completionEventId,
                manifest, attempt, inFlight, nextAttemptAt, retryableFailures, errorCode, errorMessage,
                operationStartedAt, updatedAt, releaseReason, awaitedSecrets);
    }

    RunState withReleaseReason(String reason) {
        return new RunState(runId, target, phase, backend, launchEventId, launchedAt, selection, completionEventId,
                manifest, attempt, inFlight, nextAttemptAt, retryableFailures, lastErrorCode, lastErrorMessage,
                operationStartedAt, updatedAt, reason, awaitedSecrets);
    }

    RunState withCompletion(String eventId, Instant now) {
        return new RunState(runId, target, phase, backend, launchEventId, launchedAt, selection, eventId, manifest,
                attempt, inFlight, nextAttemptAt, retryableFailures, lastErrorCode, lastErrorMessage,
                operationStartedAt, now, releaseReason, awaitedSecrets);
    }
}
