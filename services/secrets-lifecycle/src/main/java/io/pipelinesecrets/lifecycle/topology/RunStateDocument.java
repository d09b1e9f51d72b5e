package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.lifecycle.run.EntryStatus;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunError;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.SecretsPosition;
import io.pipelinesecrets.lifecycle.secrets.Scope;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run state as it rests in the state store and its changelog: the flat layout the first version wrote (format
 * 1), property by property, whatever shape the domain {@link RunState} takes. Every name here is pinned by
 * {@code @JsonProperty} because the states of running runs are stored under it: a property of format 1 is never
 * renamed or removed (the readers of the versions before {@code formatVersion} existed ignore what they do not
 * know, and would silently lose it), only added to. A change that an older reader would misread raises
 * {@link RunStateSerde#FORMAT_VERSION}.
 */
@JsonPropertyOrder({"formatVersion", "runId", "target", "phase", "backend", "launchEventId", "launchedAt", "selection",
        "completionEventId", "manifest", "attempt", "inFlight", "nextAttemptAt", "retryableFailures", "lastErrorCode",
        "lastErrorMessage", "operationStartedAt", "updatedAt", "releaseReason", "awaitedSecrets"})
record RunStateDocument(
        @JsonProperty("formatVersion") Integer formatVersion,
        @JsonProperty("runId") String runId,
        @JsonProperty("target") Target target,
        @JsonProperty("phase") Phase phase,
        @JsonProperty("backend") String backend,
        @JsonProperty("launchEventId") String launchEventId,
        @JsonProperty("launchedAt") Instant launchedAt,
        @JsonProperty("selection") Choice selection,
        @JsonProperty("completionEventId") String completionEventId,
        @JsonProperty("manifest") List<Entry> manifest,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("inFlight") boolean inFlight,
        @JsonProperty("nextAttemptAt") Instant nextAttemptAt,
        @JsonProperty("retryableFailures") int retryableFailures,
        @JsonProperty("lastErrorCode") String lastErrorCode,
        @JsonProperty("lastErrorMessage") String lastErrorMessage,
        @JsonProperty("operationStartedAt") Instant operationStartedAt,
        @JsonProperty("updatedAt") Instant updatedAt,
        @JsonProperty("releaseReason") String releaseReason,
        @JsonProperty("awaitedSecrets") Position awaitedSecrets) {

    static RunStateDocument of(RunState state) {
        RunOrigin origin = state.origin();
        OperationProgress progress = state.progress();
        RunError error = state.lastError();
        return new RunStateDocument(RunStateSerde.FORMAT_VERSION, state.runId(), Target.of(origin.target()),
                state.phase(), origin.backend(), origin.launchEventId(), origin.launchedAt(),
                Choice.of(origin.selection()), state.ending().completionEventId(),
                state.manifest().stream().map(Entry::of).toList(), progress.attempt(), progress.inFlight(),
                progress.nextAttemptAt(), progress.retryableFailures(), error == null ? null : error.code(),
                error == null ? null : error.message(), progress.startedAt(), state.updatedAt(),
                state.ending().releaseReason(), Position.of(state.awaitedSecrets()));
    }

    RunState toState() {
        RunOrigin origin = new RunOrigin(target == null ? null : target.toTarget(), backend, launchEventId,
                launchedAt, selection == null ? null : selection.toSelection());
        RunError error = lastErrorCode == null && lastErrorMessage == null ? null
                : new RunError(lastErrorCode, lastErrorMessage);
        return new RunState(runId, phase, origin, new RunEnding(completionEventId, releaseReason),
                manifest == null ? List.of() : manifest.stream().map(Entry::toEntry).toList(),
                new OperationProgress(attempt, inFlight, nextAttemptAt, retryableFailures, operationStartedAt),
                error, awaitedSecrets == null ? null : awaitedSecrets.toPosition(), updatedAt);
    }

    @JsonPropertyOrder({"runId", "workspaceId", "userId", "computeEnvId", "platform", "region", "accountRoleArn",
            "secretsPath"})
    record Target(
            @JsonProperty("runId") String runId,
            @JsonProperty("workspaceId") String workspaceId,
            @JsonProperty("userId") String userId,
            @JsonProperty("computeEnvId") String computeEnvId,
            @JsonProperty("platform") String platform,
            @JsonProperty("region") String region,
            @JsonProperty("accountRoleArn") String accountRoleArn,
            @JsonProperty("secretsPath") String secretsPath) {

        static Target of(RunTarget target) {
            return target == null ? null : new Target(target.runId(), target.workspaceId(), target.userId(),
                    target.computeEnvId(), target.platform(), target.region(), target.accountRoleArn(),
                    target.secretsPath());
        }

        RunTarget toTarget() {
            return new RunTarget(runId, workspaceId, userId, computeEnvId, platform, region, accountRoleArn, secretsPath);
        }
    }

    /** The launch's selection. */
    @JsonPropertyOrder({"workspaceSecrets", "userSecrets"})
    record Choice(
            @JsonProperty("workspaceSecrets") List<String> workspaceSecrets,
            @JsonProperty("userSecrets") List<String> userSecrets) {

        static Choice of(Selection selection) {
            return selection == null ? null : new Choice(selection.workspaceSecrets(), selection.userSecrets());
        }

        Selection toSelection() {
            return new Selection(workspaceSecrets, userSecrets);
        }
    }

    @JsonPropertyOrder({"name", "scope", "version", "status", "backendRef", "lastErrorCode"})
    record Entry(
            @JsonProperty("name") String name,
            @JsonProperty("scope") Scope scope,
            @JsonProperty("version") long version,
            @JsonProperty("status") EntryStatus status,
            @JsonProperty("backendRef") String backendRef,
            @JsonProperty("lastErrorCode") String lastErrorCode) {

        static Entry of(ManifestEntry entry) {
            return new Entry(entry.name(), entry.scope(), entry.version(), entry.status(), entry.backendRef(),
                    entry.lastErrorCode());
        }

        ManifestEntry toEntry() {
            return new ManifestEntry(name, scope, version, status, backendRef, lastErrorCode);
        }
    }

    /** The awaited secrets-topic positions, partition to offset. */
    record Position(@JsonProperty("offsets") Map<Integer, Long> offsets) {

        static Position of(SecretsPosition position) {
            return position == null ? null : new Position(position.offsets());
        }

        SecretsPosition toPosition() {
            return new SecretsPosition(offsets);
        }
    }
}
