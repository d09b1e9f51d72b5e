package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.ComputeEnv;
import io.pipelinesecrets.events.SecretsWatermark;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.contracts.RunIds;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.run.SecretsPosition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Checks decoded workflow events against the rules Avro cannot express, and turns them into core inputs. */
final class WorkflowEvents {

    static final String INVALID_RUN_ID = "INVALID_RUN_ID";
    static final String KEY_MISMATCH = "KEY_MISMATCH";
    static final String MISSING_FIELD = "MISSING_FIELD";
    static final String INVALID_WATERMARK = "INVALID_WATERMARK";
    static final String INVALID_OWNER_ID = "INVALID_OWNER_ID";
    static final String FIELD_TOO_LONG = "FIELD_TOO_LONG";
    static final String LAUNCHED_IN_FUTURE = "LAUNCHED_IN_FUTURE";

    /**
     * Bounds of the free-text fields a run's state keeps and its audit events repeat: far above what a platform
     * sends (ids of tens of characters, an IAM ARN of at most 2048, a POSIX path of at most 4096), so they only stop
     * a producer that sends megabytes.
     */
    static final int MAX_EVENT_ID_LENGTH = 256;
    static final int MAX_COMPUTE_ENV_FIELD_LENGTH = 256;
    static final int MAX_ROLE_ARN_LENGTH = 2048;
    static final int MAX_SECRETS_PATH_LENGTH = 4096;
    /** More partitions than any secrets topic has; a longer watermark is not one a platform wrote. */
    static final int MAX_WATERMARK_PARTITIONS = 10_000;

    private WorkflowEvents() {
    }

    /**
     * @param now      the service's clock
     * @param maxSkew  how far ahead of it a producer's clock may be: a launch dated later is rejected, since its
     *                 age would never make it stale and its lease would start in the future
     */
    static Optional<DeadLetters.Rejection> problem(String key, WorkflowLaunched launch, Instant now, Duration maxSkew) {
        return runIdProblem(key, launch.getRunId()).or(() -> {
            ComputeEnv env = launch.getComputeEnv();
            if (blank(launch.getEventId()) || blank(launch.getWorkspaceId()) || blank(launch.getUserId())
                    || blank(env.getId()) || blank(env.getPlatform())) {
                return Optional.of(rejection(MISSING_FIELD,
                        "eventId, workspaceId, userId, computeEnv.id and computeEnv.platform must not be empty"));
            }
            return ownerIdProblem("workspaceId", launch.getWorkspaceId())
                    .or(() -> ownerIdProblem("userId", launch.getUserId()))
                    .or(() -> tooLong("eventId", launch.getEventId(), MAX_EVENT_ID_LENGTH))
                    .or(() -> tooLong("computeEnv.id", env.getId(), MAX_COMPUTE_ENV_FIELD_LENGTH))
                    .or(() -> tooLong("computeEnv.platform", env.getPlatform(), MAX_COMPUTE_ENV_FIELD_LENGTH))
                    .or(() -> tooLong("computeEnv.region", env.getRegion(), MAX_COMPUTE_ENV_FIELD_LENGTH))
                    .or(() -> tooLong("computeEnv.accountRoleArn", env.getAccountRoleArn(), MAX_ROLE_ARN_LENGTH))
                    .or(() -> tooLong("computeEnv.secretsPath", env.getSecretsPath(), MAX_SECRETS_PATH_LENGTH))
                    .or(() -> futureProblem(launch.getLaunchedAt(), now, maxSkew))
                    .or(() -> watermarkProblem(launch.getSecretsWatermark()));
        });
    }

    /**
     * A completion's {@code completedAt} decides nothing, so it is not checked against the clock: rejecting a
     * completion for a skewed clock would leave its run's secrets in place.
     */
    static Optional<DeadLetters.Rejection> problem(String key, WorkflowCompleted completion) {
        return runIdProblem(key, completion.getRunId()).or(() -> blank(completion.getEventId())
                ? Optional.of(rejection(MISSING_FIELD, "eventId must not be empty"))
                : tooLong("eventId", completion.getEventId(), MAX_EVENT_ID_LENGTH)
                        .or(() -> blank(completion.getWorkspaceId()) ? Optional.empty()
                                : ownerIdProblem("workspaceId", completion.getWorkspaceId())));
    }

    /**
     * The same rule as the secrets topic's keys: an id no secret can be stored under would resolve to no secrets,
     * and the run would be provisioned without them instead of failing.
     */
    private static Optional<DeadLetters.Rejection> ownerIdProblem(String field, String ownerId) {
        return Optional.ofNullable(SecretKey.ownerIdProblem(ownerId))
                .map(problem -> rejection(INVALID_OWNER_ID, field + ": " + problem));
    }

    private static Optional<DeadLetters.Rejection> tooLong(String field, String value, int max) {
        return value != null && value.length() > max
                ? Optional.of(rejection(FIELD_TOO_LONG, field + " has " + value.length() + " characters; at most " + max))
                : Optional.empty();
    }

    private static Optional<DeadLetters.Rejection> futureProblem(Instant launchedAt, Instant now, Duration maxSkew) {
        return launchedAt.isAfter(now.plus(maxSkew))
                ? Optional.of(rejection(LAUNCHED_IN_FUTURE, "launchedAt " + launchedAt + " is more than " + maxSkew
                        + " after the service's clock (" + now + "); check the producer's clock"
                        + " (lifecycle.max-clock-skew)"))
                : Optional.empty();
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
        if (watermark.getOffsets().size() > MAX_WATERMARK_PARTITIONS) {
            return Optional.of(rejection(INVALID_WATERMARK, "secretsWatermark names " + watermark.getOffsets().size()
                    + " positions; at most " + MAX_WATERMARK_PARTITIONS));
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
            return Optional.of(rejection(KEY_MISMATCH, "record key " + SafeText.quoted(key) + " is not the run id "
                    + SafeText.quoted(runId)));
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
