package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.ComputeEnv;
import io.pipelinesecrets.events.SecretsWatermark;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.backend.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.lifecycle.run.RunIds;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.run.SecretsPosition;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Checks decoded workflow events against the rules Avro cannot express, and turns them into core inputs. */
final class WorkflowEvents {

    static final String INVALID_RUN_ID = "INVALID_RUN_ID";
    static final String KEY_MISMATCH = "KEY_MISMATCH";
    static final String MISSING_FIELD = "MISSING_FIELD";
    static final String INVALID_WATERMARK = "INVALID_WATERMARK";

    private WorkflowEvents() {
    }

    static Optional<DeadLetters.Rejection> problem(String key, WorkflowLaunched launch) {
        return runIdProblem(key, launch.getRunId()).or(() -> {
            ComputeEnv env = launch.getComputeEnv();
            if (blank(launch.getEventId()) || blank(launch.getWorkspaceId()) || blank(launch.getUserId())
                    || blank(env.getId()) || blank(env.getPlatform())) {
                return Optional.of(rejection(MISSING_FIELD,
                        "eventId, workspaceId, userId, computeEnv.id and computeEnv.platform must not be empty"));
            }
            return watermarkProblem(launch.getSecretsWatermark());
        });
    }

    static Optional<DeadLetters.Rejection> problem(String key, WorkflowCompleted completion) {
        return runIdProblem(key, completion.getRunId()).or(() -> blank(completion.getEventId())
                ? Optional.of(rejection(MISSING_FIELD, "eventId must not be empty"))
                : Optional.empty());
    }

    static RunInput.Launch toInput(WorkflowLaunched launch) {
        ComputeEnv env = launch.getComputeEnv();
        RunTarget target = new RunTarget(launch.getRunId(), launch.getWorkspaceId(), launch.getUserId(), env.getId(),
                env.getPlatform(), env.getRegion(), env.getAccountRoleArn(), env.getSecretsPath());
        Selection selection = launch.getSecretSelection() == null ? null : new Selection(
                launch.getSecretSelection().getWorkspaceSecrets(), launch.getSecretSelection().getUserSecrets());
        return new RunInput.Launch(launch.getEventId(), launch.getRunId(), launch.getLaunchedAt(), target, selection,
                awaited(launch.getSecretsWatermark()));
    }

    private static SecretsPosition awaited(SecretsWatermark watermark) {
        if (watermark == null || watermark.getOffsets().isEmpty()) {
            return null;
        }
        Map<Integer, Long> offsets = new HashMap<>();
        // Listing a partition twice asks for the later of the two positions.
        watermark.getOffsets().forEach(p -> offsets.merge(p.getPartition(), p.getOffset(), Math::max));
        return new SecretsPosition(offsets);
    }

    private static Optional<DeadLetters.Rejection> watermarkProblem(SecretsWatermark watermark) {
        if (watermark == null) {
            return Optional.empty();
        }
        return watermark.getOffsets().stream().filter(p -> p.getPartition() < 0 || p.getOffset() < 0).findFirst()
                .map(p -> rejection(INVALID_WATERMARK, "secretsWatermark names partition " + p.getPartition()
                        + " offset " + p.getOffset() + "; both must be zero or more"));
    }

    static RunInput.Completion toInput(WorkflowCompleted completion) {
        return new RunInput.Completion(completion.getEventId(), completion.getRunId(), completion.getWorkspaceId(),
                completion.getStatus().name(), completion.getCompletedAt());
    }

    /** The key must be the run id: it is what puts every event of a run on the same partition. */
    private static Optional<DeadLetters.Rejection> runIdProblem(String key, String runId) {
        Optional<String> invalid = RunIds.problem(runId);
        if (invalid.isPresent()) {
            return Optional.of(rejection(INVALID_RUN_ID, invalid.get()));
        }
        if (!runId.equals(key)) {
            return Optional.of(rejection(KEY_MISMATCH, "record key '" + key + "' is not the run id '" + runId + "'"));
        }
        return Optional.empty();
    }

    private static DeadLetters.Rejection rejection(String code, String message) {
        return new DeadLetters.Rejection(code, "InvalidEvent", message);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
