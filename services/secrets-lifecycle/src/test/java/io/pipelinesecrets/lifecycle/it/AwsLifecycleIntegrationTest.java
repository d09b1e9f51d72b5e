package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.RecordingCredentials;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle on AWS Batch compute environments: real broker, the real AWS SDK, and the wire-level Secrets
 * Manager double. Canary values are planted; no log line or audit event may contain one.
 */
@ExtendWith(KafkaClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AwsLifecycleIntegrationTest {

    private static final String CANARY = "canary-aws-lifecycle-8c7d";
    private static final String REGION = "us-east-1";

    private final SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
            .withForceDeleteDelay(Duration.ofMillis(300)));
    private final List<String> scanned = new ArrayList<>();
    private LogCapture logs;
    private ServiceHarness harness;

    @BeforeAll
    void captureLogs() {
        logs = LogCapture.attach();
    }

    @AfterEach
    void stopService() {
        harness.allAudit().forEach(event -> scanned.add(event.toString()));
        scanned.addAll(harness.httpResponses());
        harness.close();
        sm.reset();
    }

    @AfterAll
    void noCanaryAnywhere() {
        sm.close();
        scanned.addAll(logs.lines());
        logs.close();
        assertThat(scanned).hasSizeGreaterThan(20).noneMatch(line -> line.contains(CANARY));
    }

    @Test
    void shouldProvisionOneSecretPerNameAndDeleteExactlyTheManifest(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        try (SecretsManagerClient platform = client()) {
            // Also ours and of this run, but not in the manifest: release must not go looking for it.
            platform.createSecret(r -> r.name("tower-run-aws/NOT_IN_MANIFEST").secretString("x")
                    .tags(t -> t.key("managed-by").value("it-instance"), t -> t.key("run-id").value("run-aws")));
        }
        harness.launch(awsLaunch("run-aws"));
        harness.awaitAction("run-aws", AuditAction.SECRETS_PROVISIONED);

        assertThat(sm.secret("tower-run-aws/API_TOKEN").orElseThrow().currentValue().orElseThrow().asString())
                .isEqualTo(CANARY + "-user");
        assertThat(sm.secret("tower-run-aws/DB_PASSWORD").orElseThrow().tags()).containsEntry("managed-by", "it-instance")
                .containsEntry("run-id", "run-aws").containsEntry("workspace-id", Events.WORKSPACE)
                .containsEntry("user-id", Events.USER).containsEntry("scope", "workspace");
        List<AuditEvent> created = harness.auditOf("run-aws").stream()
                .filter(e -> e.getAction() == AuditAction.SECRET_CREATED).toList();
        assertThat(created).hasSize(2).allSatisfy(e -> {
            assertThat(e.getBackend()).isEqualTo("aws-secretsmanager");
            assertThat(e.getBackendRef()).startsWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:tower-run-aws/");
        });
        assertThat(harness.http("/runs/run-aws").body()).contains("arn:aws:secretsmanager:");

        harness.complete(Events.completed("run-aws").build());
        harness.awaitAction("run-aws", AuditAction.SECRETS_RELEASED);

        assertThat(sm.liveSecretNames()).containsExactly("tower-run-aws/NOT_IN_MANIFEST");
    }

    @Test
    void shouldStoreABundleAndShowItsArnAndKeys(TestKafka kafka, @TempDir Path work) throws Exception {
        start(kafka, work, true);
        harness.launch(awsLaunch("run-bundle"));
        harness.awaitAction("run-bundle", AuditAction.SECRETS_PROVISIONED);

        JsonNode bundle = new ObjectMapper().readTree(sm.secret("tower-run-bundle").orElseThrow().currentValue().orElseThrow().asString());
        assertThat(bundle.get("DB_PASSWORD").asText()).isEqualTo(CANARY);
        AuditEvent summary = harness.auditOf("run-bundle").stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_PROVISIONED).findFirst().orElseThrow();
        assertThat(summary.getSecretNames()).containsExactly("API_TOKEN", "DB_PASSWORD");
        assertThat(harness.auditOf("run-bundle")).filteredOn(e -> e.getAction() == AuditAction.SECRET_CREATED)
                .extracting(AuditEvent::getBackendRef).containsOnly(sm.secret("tower-run-bundle").orElseThrow().arn());
        assertThat(sm.stats().requests("CreateSecret")).isEqualTo(1);

        harness.complete(Events.completed("run-bundle").build());
        harness.awaitAction("run-bundle", AuditAction.SECRETS_RELEASED);
        assertThat(sm.liveSecretNames()).isEmpty();
        assertThat(sm.stats().requests("DeleteSecret")).isEqualTo(1);
    }

    @Test
    void shouldCreateNothingNewWhenTheLaunchedTopicIsReplayed(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        WorkflowLaunched launch = awsLaunch("run-replay");
        harness.launch(launch);
        harness.awaitAction("run-replay", AuditAction.SECRETS_PROVISIONED);
        long creates = sm.stats().requests("CreateSecret");

        harness.launch(launch);
        harness.launch(launch);
        harness.awaitAudit("two LAUNCH_SKIPPED", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.LAUNCH_SKIPPED).count() == 2);

        assertThat(sm.stats().requests("CreateSecret")).isEqualTo(creates);
        assertThat(sm.stats().conflictingCreates()).isEmpty();
    }

    @Test
    void shouldFailARunWhoseNameAnotherSystemOwnsRollBackAndLeaveTheirsUntouched(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        try (SecretsManagerClient other = client()) {
            other.createSecret(r -> r.name("tower-run-taken/DB_PASSWORD").secretString("someone-elses"));
        }

        harness.launch(awsLaunch("run-taken"));
        harness.awaitAction("run-taken", AuditAction.PROVISION_FAILED);
        harness.awaitAudit("rollback of API_TOKEN", events -> events.stream().anyMatch(e -> "run-taken".equals(e.getRunId())
                && e.getAction() == AuditAction.SECRET_DELETED));

        AuditEvent failed = harness.auditOf("run-taken").stream()
                .filter(e -> e.getAction() == AuditAction.PROVISION_FAILED).findFirst().orElseThrow();
        assertThat(failed.getErrorCode()).isEqualTo("NAME_OWNED_BY_ANOTHER");
        assertThat(failed.getSecretName()).isEqualTo("DB_PASSWORD");
        assertThat(sm.liveSecretNames()).containsExactly("tower-run-taken/DB_PASSWORD");
        assertThat(sm.secret("tower-run-taken/DB_PASSWORD").orElseThrow().currentValue().orElseThrow().asString())
                .isEqualTo("someone-elses");
    }

    @Test
    void shouldFailFastOnAccessDeniedWithoutRetrying(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        sm.faults().on("CreateSecret").accessDenied();

        harness.launch(awsLaunch("run-denied"));
        harness.awaitAction("run-denied", AuditAction.PROVISION_FAILED);

        assertThat(harness.auditOf("run-denied")).extracting(AuditEvent::getAction)
                .doesNotContain(AuditAction.PROVISION_RETRY_SCHEDULED, AuditAction.SECRETS_PROVISIONED);
        assertThat(harness.auditOf("run-denied").stream().filter(e -> e.getAction() == AuditAction.PROVISION_FAILED)
                .findFirst().orElseThrow().getErrorCode()).isEqualTo("AccessDeniedException");
        assertThat(sm.liveSecretNames()).isEmpty();
    }

    @Test
    void shouldProvisionAndReleaseEveryRunThroughThrottlingStormsAndServerErrors(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        sm.faults().on("CreateSecret").throttle(60).serverError(15);
        sm.faults().on("DeleteSecret").throttle(40).serverError(10);
        int runs = 15;

        for (int i = 0; i < runs; i++) {
            harness.launch(awsLaunch("run-storm-" + i));
        }
        harness.awaitAudit(runs + " provisioned", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_PROVISIONED).count() == runs);
        for (int i = 0; i < runs; i++) {
            harness.complete(Events.completed("run-storm-" + i).build());
        }
        List<AuditEvent> all = harness.awaitAudit(runs + " released", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_RELEASED).count() == runs);

        assertThat(sm.liveSecretNames()).as("secrets left behind").isEmpty();
        assertThat(sm.stats().conflictingCreates()).isEmpty();
        assertThat(sm.stats().throttled()).isGreaterThanOrEqualTo(100);
        System.out.printf("throttling storm: %d runs, %d throttled and %d failed requests injected, %d retries scheduled by"
                        + " the service%n", runs, sm.stats().throttled(), 25,
                all.stream().filter(e -> e.getAction() == AuditAction.PROVISION_RETRY_SCHEDULED
                        || e.getAction() == AuditAction.RELEASE_RETRY_SCHEDULED).count());
    }

    private void start(TestKafka kafka, Path work, boolean bundle) {
        harness = ServiceHarness.start(kafka, work, () -> List.<SecretsBackend>of(new AwsSecretsManagerBackend(
                new AwsBackendConfig("it-instance", new AwsEnvironmentSettings(AwsEnvironmentSettings.DEFAULT_NAME_TEMPLATE,
                        bundle, null, null), Map.of(), Set.of(REGION), Set.of(), null, 200, URI.create(sm.endpoint()),
                        Duration.ofSeconds(20)), new RecordingCredentials())));
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", CANARY).build());
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "API_TOKEN", CANARY + "-overridden").build());
        harness.publishSecret(Events.userSecret(Events.USER, "API_TOKEN", CANARY + "-user").build());
    }

    private static WorkflowLaunched awsLaunch(String runId) {
        return Events.launched(runId).setComputeEnv(Events.awsBatch(REGION)).build();
    }

    private SecretsManagerClient client() {
        return SecretsManagerClient.builder().endpointOverride(URI.create(sm.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y"))).build();
    }
}
