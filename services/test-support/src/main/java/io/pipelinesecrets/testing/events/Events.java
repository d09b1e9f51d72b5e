package io.pipelinesecrets.testing.events;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.events.ComputeEnv;
import io.pipelinesecrets.events.PartitionOffset;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.events.SecretSelection;
import io.pipelinesecrets.events.SecretsWatermark;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.events.WorkflowStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Builders for events with plausible defaults, so a test states only what it is about:
 * {@code Events.launched("run-1").setUserId("alice").build()}. Every builder is the generated Avro builder, so
 * every field stays reachable. Ids are derived from the run id, which makes a rebuilt event a replay of the first.
 */
public final class Events {

    public static final String WORKSPACE = "ws-1";
    public static final String USER = "user-1";

    private Events() {
    }

    /** A launch in {@link #WORKSPACE} by {@link #USER} on a Slurm compute environment writing under {@code /shared/secrets}. */
    public static WorkflowLaunched.Builder launched(String runId) {
        return WorkflowLaunched.newBuilder()
                .setEventId("launched-" + runId)
                .setRunId(runId)
                .setWorkspaceId(WORKSPACE)
                .setUserId(USER)
                .setLaunchedAt(now())
                .setComputeEnv(slurm("/shared/secrets"))
                .setSecretSelection(null)
                .setSecretsWatermark(null);
    }

    public static WorkflowCompleted.Builder completed(String runId) {
        return WorkflowCompleted.newBuilder()
                .setEventId("completed-" + runId)
                .setRunId(runId)
                .setWorkspaceId(WORKSPACE)
                .setStatus(WorkflowStatus.SUCCEEDED)
                .setCompletedAt(now());
    }

    public static ComputeEnv slurm(String secretsPath) {
        return ComputeEnv.newBuilder().setId("ce-slurm").setPlatform("slurm").setRegion(null)
                .setAccountRoleArn(null).setSecretsPath(secretsPath).build();
    }

    public static ComputeEnv awsBatch(String region) {
        return ComputeEnv.newBuilder().setId("ce-aws").setPlatform("aws-batch").setRegion(region)
                .setAccountRoleArn(null).setSecretsPath(null).build();
    }

    /** A Google Batch compute environment; the project and location come from the service's configuration. */
    public static ComputeEnv googleBatch(String region) {
        return ComputeEnv.newBuilder().setId("ce-google").setPlatform("google-batch").setRegion(region)
                .setAccountRoleArn(null).setSecretsPath(null).build();
    }

    public static SecretSelection selection(List<String> workspaceSecrets, List<String> userSecrets) {
        return SecretSelection.newBuilder().setWorkspaceSecrets(workspaceSecrets).setUserSecrets(userSecrets).build();
    }

    public static SecretsWatermark watermark(int partition, long offset) {
        return SecretsWatermark.newBuilder()
                .setOffsets(List.of(PartitionOffset.newBuilder().setPartition(partition).setOffset(offset).build()))
                .build();
    }

    public static SecretRecord.Builder workspaceSecret(String workspaceId, String name, String value) {
        return secret(SecretScope.WORKSPACE, workspaceId, name, value);
    }

    public static SecretRecord.Builder userSecret(String userId, String name, String value) {
        return secret(SecretScope.USER, userId, name, value);
    }

    public static SecretRecord.Builder secret(SecretScope scope, String ownerId, String name, String value) {
        return SecretRecord.newBuilder()
                .setScope(scope)
                .setOwnerId(ownerId)
                .setName(name)
                .setValue(value)
                .setVersion(1L)
                .setUpdatedAt(now())
                .setUpdatedBy("admin");
    }

    public static AuditEvent.Builder audit(String runId, AuditAction action, AuditOutcome outcome) {
        return AuditEvent.newBuilder()
                .setEventId("audit-" + runId + "-" + action)
                .setOccurredAt(now())
                .setRunId(runId)
                .setWorkspaceId(WORKSPACE)
                .setUserId(USER)
                .setComputeEnvId("ce-slurm")
                .setAction(action)
                .setOutcome(outcome);
    }

    /** Avro keeps millisecond precision; builders round so that a round trip compares equal. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
