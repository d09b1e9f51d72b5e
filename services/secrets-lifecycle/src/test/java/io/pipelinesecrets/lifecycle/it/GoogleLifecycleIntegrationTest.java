package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSourceForTests;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretManagerBackend;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
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

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pipelinesecrets.lifecycle.it.FaultSuites.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle on Google Batch compute environments: real broker, the real Secret Manager client library over gRPC,
 * and the wire-level Secret Manager double. Canary values are planted; no log line, audit event or admin answer may
 * contain one.
 */
@ExtendWith(KafkaClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GoogleLifecycleIntegrationTest {

    private static final String CANARY = "canary-google-lifecycle-5b2e";
    private static final String PROJECT = "tower-it-1";
    private static final String PARENT = "projects/" + PROJECT + "/secrets/";

    private final SecretManagerDouble sm = SecretManagerDouble.start();
    private final ManagedChannel channel = ManagedChannelBuilder.forTarget(sm.endpoint()).usePlaintext().build();
    private final SecretManagerServiceClient platform = client(channel);
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
        sm.faults().clear();
        sm.quotas().off();
        sm.state().secrets().keySet().forEach(platform::deleteSecret);
    }

    @AfterAll
    void noCanaryAnywhere() {
        platform.close();
        channel.shutdownNow();
        sm.close();
        scanned.addAll(logs.lines());
        logs.close();
        assertThat(scanned).hasSizeGreaterThan(20).noneMatch(line -> line.contains(CANARY));
    }

    @Test
    void shouldProvisionTheMergedSetWithTheUsersValueAndDeleteExactlyTheManifest(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        // Also ours and of this run, but not in the manifest: release must not go looking for it.
        platform.createSecret("projects/" + PROJECT, "tower-run-gcp-NOT_IN_MANIFEST", Secret.newBuilder()
                .putLabels("managed-by", "it-instance").putLabels("run-id", "run-gcp").build());

        harness.launch(googleLaunch("run-gcp"));
        harness.awaitAction("run-gcp", AuditAction.SECRETS_PROVISIONED);

        assertThat(latest("tower-run-gcp-API_TOKEN")).isEqualTo(CANARY + "-user");
        assertThat(latest("tower-run-gcp-DB_PASSWORD")).isEqualTo(CANARY);
        assertThat(sm.state().secret(PARENT + "tower-run-gcp-DB_PASSWORD").orElseThrow().secret().getLabelsMap())
                .containsEntry("managed-by", "it-instance").containsEntry("run-id", "run-gcp")
                .containsEntry("workspace-id", Events.WORKSPACE).containsEntry("user-id", Events.USER)
                .containsEntry("scope", "workspace").containsEntry("deployment", harness.deployment().mark());
        assertThat(sm.state().secret(PARENT + "tower-run-gcp-DB_PASSWORD").orElseThrow().secret().hasExpireTime()).isTrue();
        List<AuditEvent> created = harness.auditOf("run-gcp").stream()
                .filter(e -> e.getAction() == AuditAction.SECRET_CREATED).toList();
        assertThat(created).hasSize(2).allSatisfy(e -> {
            assertThat(e.getBackend()).isEqualTo("google-secretmanager");
            assertThat(e.getBackendRef()).startsWith(PARENT + "tower-run-gcp-");
        });
        assertThat(harness.http("/runs/run-gcp").body()).contains(PARENT + "tower-run-gcp-API_TOKEN");

        harness.complete(Events.completed("run-gcp").build());
        harness.awaitAction("run-gcp", AuditAction.SECRETS_RELEASED);

        assertThat(sm.state().secrets().keySet()).containsExactly(PARENT + "tower-run-gcp-NOT_IN_MANIFEST");
    }

    @Test
    void shouldProvisionOnlyTheSelectedSecrets(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);

        harness.launch(Events.launched("run-selected").setComputeEnv(Events.googleBatch("us-central1"))
                .setSecretSelection(Events.selection(List.of("DB_PASSWORD"), List.of())).build());
        harness.awaitAction("run-selected", AuditAction.SECRETS_PROVISIONED);

        assertThat(sm.state().secrets().keySet()).containsExactly(PARENT + "tower-run-selected-DB_PASSWORD");
    }

    @Test
    void shouldStoreABundleAsOneSecretAndDeleteItOnce(TestKafka kafka, @TempDir Path work) throws Exception {
        start(kafka, work, true);
        int creates = sm.state().calls("CreateSecret");
        int deletes = sm.state().calls("DeleteSecret");
        harness.launch(googleLaunch("run-bundle"));
        harness.awaitAction("run-bundle", AuditAction.SECRETS_PROVISIONED);

        JsonNode bundle = new ObjectMapper().readTree(latest("tower-run-bundle"));
        assertThat(bundle.get("DB_PASSWORD").asText()).isEqualTo(CANARY);
        assertThat(bundle.get("API_TOKEN").asText()).isEqualTo(CANARY + "-user");
        assertThat(harness.auditOf("run-bundle")).filteredOn(e -> e.getAction() == AuditAction.SECRET_CREATED)
                .extracting(AuditEvent::getBackendRef).containsOnly(PARENT + "tower-run-bundle");
        assertThat(sm.state().calls("CreateSecret") - creates).isEqualTo(1);

        harness.complete(Events.completed("run-bundle").build());
        harness.awaitAction("run-bundle", AuditAction.SECRETS_RELEASED);
        assertThat(sm.state().secrets()).isEmpty();
        assertThat(sm.state().calls("DeleteSecret") - deletes).isEqualTo(1);
    }

    @Test
    void shouldCreateNothingNewWhenTheLaunchedTopicIsReplayed(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        WorkflowLaunched launch = googleLaunch("run-replay");
        harness.launch(launch);
        harness.awaitAction("run-replay", AuditAction.SECRETS_PROVISIONED);
        int creates = sm.state().calls("CreateSecret");
        int versions = sm.state().calls("AddSecretVersion");

        harness.launch(launch);
        harness.launch(launch);
        harness.awaitAudit("two LAUNCH_SKIPPED", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.LAUNCH_SKIPPED).count() == 2);

        assertThat(sm.state().calls("CreateSecret")).isEqualTo(creates);
        assertThat(sm.state().calls("AddSecretVersion")).isEqualTo(versions);
        assertThat(sm.state().secret(PARENT + "tower-run-replay-DB_PASSWORD").orElseThrow().versions()).hasSize(1);
    }

    @Test
    void shouldFailARunWhoseIdAnotherSystemOwnsRollBackAndLeaveTheirsUntouched(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        platform.createSecret("projects/" + PROJECT, "tower-run-taken-DB_PASSWORD",
                Secret.newBuilder().putLabels("owner", "another-team").build());

        harness.launch(googleLaunch("run-taken"));
        harness.awaitAction("run-taken", AuditAction.PROVISION_FAILED);
        harness.awaitAudit("rollback of API_TOKEN", events -> events.stream().anyMatch(e -> "run-taken".equals(e.getRunId())
                && e.getAction() == AuditAction.SECRET_DELETED));

        AuditEvent failed = harness.auditOf("run-taken").stream()
                .filter(e -> e.getAction() == AuditAction.PROVISION_FAILED).findFirst().orElseThrow();
        assertThat(failed.getErrorCode()).isEqualTo("NAME_OWNED_BY_ANOTHER");
        assertThat(failed.getSecretName()).isEqualTo("DB_PASSWORD");
        assertThat(sm.state().secrets().keySet()).containsExactly(PARENT + "tower-run-taken-DB_PASSWORD");
        assertThat(sm.state().secret(PARENT + "tower-run-taken-DB_PASSWORD").orElseThrow().secret().getLabelsMap())
                .containsExactly(Map.entry("owner", "another-team"));
    }

    @Test
    void shouldFailFastOnPermissionDeniedWithoutRetrying(TestKafka kafka, @TempDir Path work) {
        start(kafka, work, false);
        sm.faults().denyProject(PROJECT);

        harness.launch(googleLaunch("run-denied"));
        harness.awaitAction("run-denied", AuditAction.PROVISION_FAILED);

        assertThat(harness.auditOf("run-denied")).extracting(AuditEvent::getAction)
                .doesNotContain(AuditAction.PROVISION_RETRY_SCHEDULED, AuditAction.SECRETS_PROVISIONED);
        assertThat(harness.auditOf("run-denied").stream().filter(e -> e.getAction() == AuditAction.PROVISION_FAILED)
                .findFirst().orElseThrow().getErrorCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(sm.state().secrets()).isEmpty();
    }

    @Test
    void shouldProvisionAndReleaseEveryRunThroughQuotaStormsUnavailabilityAndAnOutage(TestKafka kafka, @TempDir Path work) {
        // The quota scaled to a second (20 writes), the client limit below it as by default (18 a second, 90 %).
        start(kafka, work, false, 18 * 60);
        sm.quotas().limit(20, 0, Duration.ofSeconds(1));
        sm.faults().failNext("CreateSecret", Status.Code.RESOURCE_EXHAUSTED, 30)
                .failNext("AddSecretVersion", Status.Code.UNAVAILABLE, 15)
                .failNext("DeleteSecret", Status.Code.UNAVAILABLE, 15);
        int runs = 15;

        for (int i = 0; i < runs; i++) {
            harness.launch(googleLaunch("run-storm-" + i));
        }
        harness.awaitAudit(runs + " provisioned", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_PROVISIONED).count() == runs);
        assertThat(sm.state().secrets().values()).as("one version per secret, however often retried").hasSize(runs * 2)
                .allSatisfy(held -> assertThat(held.versions()).hasSize(1));
        sm.faults().outage(true);
        for (int i = 0; i < runs; i++) {
            harness.complete(Events.completed("run-storm-" + i).build());
        }
        harness.awaitAudit("release retries during the outage", events -> events.stream()
                .anyMatch(e -> e.getAction() == AuditAction.RELEASE_RETRY_SCHEDULED));
        pause(Duration.ofSeconds(2));
        sm.faults().outage(false);
        List<AuditEvent> all = harness.awaitAudit(runs + " released", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_RELEASED).count() == runs);

        assertThat(sm.state().secrets()).as("secrets left behind").isEmpty();
        assertThat(sm.state().calls("CreateSecret")).as("the storm and the bursts were met").isGreaterThanOrEqualTo(runs * 2 + 30);
        System.out.printf("google storm: %d runs, %d quota refusals, %d scripted failures, %d retries scheduled%n", runs,
                sm.quotas().refused(), 60, all.stream().filter(e -> e.getAction() == AuditAction.PROVISION_RETRY_SCHEDULED
                        || e.getAction() == AuditAction.RELEASE_RETRY_SCHEDULED).count());
    }

    private void start(TestKafka kafka, Path work, boolean bundle) {
        start(kafka, work, bundle, 60_000);
    }

    private void start(TestKafka kafka, Path work, boolean bundle, double writesPerMinute) {
        harness = ServiceHarness.startDeployed(kafka, work, deployment -> List.<SecretsBackend>of(
                new GoogleSecretManagerBackend(new GoogleBackendConfig("it-instance", new GoogleEnvironmentSettings(
                        new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), bundle, PROJECT, null, null), Map.of(),
                        Set.of(PROJECT), Set.of(), Set.of(), false, writesPerMinute, 60_000, Duration.ofDays(3), LeasePolicy.NONE,
                        URI.create("http://" + sm.endpoint()), Duration.ofSeconds(10), deployment),
                        GoogleCredentialsSourceForTests.NONE)));
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", CANARY).build());
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "API_TOKEN", CANARY + "-overridden").build());
        harness.publishSecret(Events.userSecret(Events.USER, "API_TOKEN", CANARY + "-user").build());
    }

    private String latest(String id) {
        return sm.state().secret(PARENT + id).orElseThrow().latest().orElseThrow().toStringUtf8();
    }

    private static WorkflowLaunched googleLaunch(String runId) {
        return Events.launched(runId).setComputeEnv(Events.googleBatch("us-central1")).build();
    }

    private static SecretManagerServiceClient client(ManagedChannel channel) {
        try {
            return SecretManagerServiceClient.create(SecretManagerServiceSettings.newBuilder()
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                    .build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
