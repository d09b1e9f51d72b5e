package io.pipelinesecrets.lifecycle.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the service remembers about one run, kept in a changelogged state store keyed by run id. It holds
 * the manifest — what was provisioned where — and never a secret value: values are resolved again from the
 * secrets topic whenever a provisioning attempt needs them.
 *
 * <p>A state begins with {@link #launched}, {@link #awaitingSecrets} or {@link #completedWithoutLaunch}, and the
 * state machine changes it with withers that each touch one part. The canonical constructor restores a stored
 * state; its parts have distinct types, so they cannot be passed in the wrong order.
 *
 * @param ending         the completion and release reason, once known
 * @param progress       the current backend operation
 * @param lastError      null until an error was reported; kept after the run recovered, for {@code runs show}
 * @param awaitedSecrets while AWAITING_SECRETS: the secrets-topic positions the launch waits for
 */
public record RunState(
        String runId,
        Phase phase,
        RunOrigin origin,
        RunEnding ending,
        List<ManifestEntry> manifest,
        OperationProgress progress,
        RunError lastError,
        SecretsPosition awaitedSecrets,
        Instant updatedAt) {

    public RunState {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(ending, "ending");
        Objects.requireNonNull(progress, "progress");
        manifest = manifest == null ? List.of() : List.copyOf(manifest);
    }

    /** A launch arrived for a run the service did not know: provisioning starts now. */
    static RunState launched(RunInput.Launch launch, String backend, Instant now) {
        return new RunState(launch.runId(), Phase.PROVISIONING, RunOrigin.of(launch, backend), RunEnding.NOT_YET,
                List.of(), OperationProgress.startingAt(now), null, null, now);
    }

    /** A launch arrived whose secrets the service's view of the secrets topic does not include yet. */
    static RunState awaitingSecrets(RunInput.Launch launch, String backend, Instant now) {
        Objects.requireNonNull(launch.awaited(), "awaited");
        return new RunState(launch.runId(), Phase.AWAITING_SECRETS, RunOrigin.of(launch, backend), RunEnding.NOT_YET,
                List.of(), OperationProgress.startingAt(now), null, launch.awaited(), now);
    }

    /** The completion arrived first: there is nothing to release, and a later launch must provision nothing. */
    static RunState completedWithoutLaunch(RunInput.Completion completion, Instant now) {
        return new RunState(completion.runId(), Phase.RELEASED, RunOrigin.NO_LAUNCH,
                RunEnding.NOT_YET.completedBy(completion.eventId()), List.of(), OperationProgress.startingAt(now),
                null, null, now);
    }

    public boolean completed() {
        return ending.completed();
    }

    /**
     * Whether the state may be forgotten: the run is released and has not changed for longer than the retention.
     * Until then it answers duplicates and late launches; after it, the stale-launch rule guards replays, as long
     * as the retention exceeds the stale-launch age.
     */
    public boolean forgettable(Instant now, Duration retention) {
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

    /** A new operation (provision, release, rollback) starts in {@code newPhase}; no secrets are awaited any more. */
    RunState entering(Phase newPhase, Instant now) {
        return new RunState(runId, newPhase, origin, ending, manifest, progress.restartedAt(now), lastError, null, now);
    }

    /** The awaited secrets are visible: provisioning starts, timed from the launch so its duration includes the wait. */
    RunState secretsVisible(Instant now) {
        return new RunState(runId, Phase.PROVISIONING, origin, ending, manifest, progress, lastError, null, now);
    }

    RunState withManifest(List<ManifestEntry> newManifest) {
        return new RunState(runId, phase, origin, ending, newManifest, progress, lastError, awaitedSecrets, updatedAt);
    }

    RunState withProgress(OperationProgress newProgress, Instant now) {
        return new RunState(runId, phase, origin, ending, manifest, newProgress, lastError, awaitedSecrets, now);
    }

    RunState withLastError(RunError error) {
        return new RunState(runId, phase, origin, ending, manifest, progress, error, awaitedSecrets, updatedAt);
    }

    RunState withEnding(RunEnding newEnding) {
        return new RunState(runId, phase, origin, newEnding, manifest, progress, lastError, awaitedSecrets, updatedAt);
    }

    /** A completion (or the lease) asks for the run's release. */
    RunState withCompletion(String eventId, Instant now) {
        return new RunState(runId, phase, origin, ending.completedBy(eventId), manifest, progress, lastError,
                awaitedSecrets, now);
    }
}
