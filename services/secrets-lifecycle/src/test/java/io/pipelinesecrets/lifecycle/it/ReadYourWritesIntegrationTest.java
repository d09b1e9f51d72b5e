package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.PartitionOffset;
import io.pipelinesecrets.events.SecretsWatermark;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-your-writes on a real broker (docs/design.md §5): a launch naming the secrets-topic position of a secret
 * written just before it is resolved with that secret, whether the service saw the secret live or restored it at
 * start; a position the service never reaches fails the provisioning after the bounded wait.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadYourWritesIntegrationTest {

    private static final LifecyclePolicy POLICY = new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200),
            Duration.ofSeconds(2)).withSecretsWait(Duration.ofSeconds(20));

    private ServiceHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void shouldResolveALaunchWithTheSecretWrittenJustBeforeIt(TestKafka kafka, @TempDir Path work) throws IOException {
        harness = ServiceHarness.start(kafka, work, POLICY);
        RecordMetadata written = harness.publishSecretAt(
                Events.userSecret(Events.USER, "FRESH_TOKEN", "written-just-before").build());

        harness.launch(launchAfter("run-live", written.partition(), written.offset()));

        harness.awaitAction("run-live", AuditAction.SECRETS_PROVISIONED);
        assertThat(Files.readString(harness.storeFile("run-live"))).contains("FRESH_TOKEN");
    }

    @Test
    void shouldCountSecretsRestoredAtStartAsApplied(TestKafka kafka, @TempDir Path work) throws IOException {
        // A short session: the restarted instance need not wait out the default 45 s for its old member to go.
        harness = ServiceHarness.start(kafka, work, POLICY, Duration.ofMillis(20),
                Map.of("commit.interval.ms", 50, "session.timeout.ms", 6000));
        harness.stopService();
        RecordMetadata written = harness.publishSecretAt(
                Events.workspaceSecret(Events.WORKSPACE, "WRITTEN_WHILE_DOWN", "restored-at-start").build());
        harness.startService();

        // No secret is written after the start: only the restore can tell the service it has this offset.
        harness.launch(launchAfter("run-restored", written.partition(), written.offset()));

        AuditEvent provisioned = only(harness.awaitAction("run-restored", AuditAction.SECRETS_PROVISIONED),
                "run-restored", AuditAction.SECRETS_PROVISIONED);
        assertThat(provisioned.getDurationMs())
                .as("provisioned without waiting out the 20 s bound").isLessThan(10_000L);
        assertThat(Files.readString(harness.storeFile("run-restored"))).contains("WRITTEN_WHILE_DOWN");
    }

    @Test
    void shouldFailTheProvisioningOfALaunchWhosePositionIsNeverReached(TestKafka kafka, @TempDir Path work) {
        harness = ServiceHarness.start(kafka, work, POLICY.withSecretsWait(Duration.ofSeconds(2)));
        RecordMetadata last = harness.publishSecretAt(Events.workspaceSecret(Events.WORKSPACE, "SOME", "x").build());

        harness.launch(launchAfter("run-ahead", last.partition(), last.offset() + 1000));

        AuditEvent failed = only(harness.awaitAction("run-ahead", AuditAction.PROVISION_FAILED),
                "run-ahead", AuditAction.PROVISION_FAILED);
        assertThat(failed.getErrorCode()).isEqualTo("SECRETS_NOT_VISIBLE");
        assertThat(failed.getErrorMessage()).contains(String.valueOf(last.offset() + 1000));
        assertThat(harness.storeFile("run-ahead")).doesNotExist();
    }

    private static AuditEvent only(List<AuditEvent> events, String runId, AuditAction action) {
        List<AuditEvent> matching = events.stream()
                .filter(e -> runId.equals(e.getRunId()) && e.getAction() == action).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private WorkflowLaunched launchAfter(String runId, int partition, long offset) {
        return Events.launched(runId).setComputeEnv(Events.slurm(harness.secretsRoot().toString()))
                .setSecretsWatermark(SecretsWatermark.newBuilder().setOffsets(List.of(
                        PartitionOffset.newBuilder().setPartition(partition).setOffset(offset).build())).build())
                .build();
    }
}
