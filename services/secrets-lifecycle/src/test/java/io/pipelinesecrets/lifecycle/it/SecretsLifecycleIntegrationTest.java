package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.events.WireFrames;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle end to end on a real broker: the real service, serde, global store, state store, filesystem
 * backend and audit trail. Every test plants canary values; after all tests, no log line, audit event, DLQ
 * header or HTTP response may contain one, nor the admin token of any harness.
 */
@ExtendWith(KafkaClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecretsLifecycleIntegrationTest {

    private static final String WORKSPACE_CANARY = "canary-ws-9f8e7d";
    private static final String USER_CANARY = "canary-user-1a2b3c";
    private static final String OVERRIDDEN_CANARY = "canary-overridden-5e6f";
    private static final List<String> CANARIES = List.of(WORKSPACE_CANARY, USER_CANARY, OVERRIDDEN_CANARY);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LogCapture logs;
    private final List<String> scanned = new ArrayList<>();
    private final List<String> adminTokens = new ArrayList<>();
    private ServiceHarness harness;

    @BeforeAll
    void captureLogs() {
        logs = LogCapture.attach();
    }

    @BeforeEach
    void startService(TestKafka kafka, @TempDir Path work) {
        harness = ServiceHarness.start(kafka, work);
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", WORKSPACE_CANARY).build());
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "API_TOKEN", OVERRIDDEN_CANARY).build());
        harness.publishSecret(Events.userSecret(Events.USER, "API_TOKEN", USER_CANARY).build());
        harness.publishSecret(Events.workspaceSecret("ws-other", "OTHER_WS", "other-workspace").build());
        harness.publishSecret(Events.userSecret("user-other", "OTHER_USER", "other-user").build());
    }

    @AfterEach
    void collectOutputs() {
        harness.allAudit().forEach(event -> scanned.add(event.toString()));
        harness.awaitDeadLettersSoFar().forEach(record -> {
            for (Header header : record.headers()) {
                scanned.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
            }
        });
        scanned.addAll(harness.httpResponses());
        adminTokens.add(harness.adminToken().reveal());
        harness.close();
    }

    @AfterAll
    void noCanaryAnywhere() {
        scanned.addAll(logs.lines());
        logs.close();
        assertThat(scanned).as("captured outputs").hasSizeGreaterThan(50);
        for (String canary : CANARIES) {
            assertThat(scanned).as("outputs containing " + canary).noneMatch(line -> line.contains(canary));
        }
        assertThat(adminTokens).isNotEmpty().allSatisfy(token ->
                assertThat(scanned).as("outputs containing an admin token").noneMatch(line -> line.contains(token)));
    }

    @Test
    void shouldProvisionTheMergedSetOnLaunchAndDeleteItOnCompletion() throws IOException {
        harness.launch(Events.launched("run-full").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());

        harness.awaitAction("run-full", AuditAction.SECRETS_PROVISIONED);
        Path store = harness.storeFile("run-full");
        assertThat(store).exists();
        assertThat(Files.getPosixFilePermissions(store)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(store.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(storeContent(store)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "API_TOKEN", USER_CANARY, "DB_PASSWORD", WORKSPACE_CANARY));
        HttpResponse<String> state = harness.http("/runs/run-full");
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(state.body()).get("phase").asText()).isEqualTo("ACTIVE");
        assertThat(state.body()).contains("API_TOKEN", "DB_PASSWORD", store.toString());
        HttpResponse<String> anonymous = harness.httpWithoutToken("/runs/run-full");
        assertThat(anonymous.statusCode()).as("/runs without the admin token").isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"pipeline-secrets-admin\"");
        assertThat(anonymous.body()).doesNotContain("API_TOKEN", "DB_PASSWORD", store.toString(), Events.WORKSPACE);

        harness.complete(Events.completed("run-full").build());

        harness.awaitAction("run-full", AuditAction.SECRETS_RELEASED);
        assertThat(store.getParent()).doesNotExist();
        assertThat(actions("run-full")).containsExactly(
                AuditAction.SECRET_CREATED, AuditAction.SECRET_CREATED, AuditAction.SECRETS_PROVISIONED,
                AuditAction.SECRET_DELETED, AuditAction.SECRET_DELETED, AuditAction.SECRETS_RELEASED);
        AuditEvent provisioned = only("run-full", AuditAction.SECRETS_PROVISIONED);
        assertThat(provisioned.getSecretCount()).isEqualTo(2);
        assertThat(provisioned.getSecretNames()).containsExactly("API_TOKEN", "DB_PASSWORD");
        assertThat(provisioned.getBackend()).isEqualTo("filesystem");
        assertThat(provisioned.getCausationEventId()).isEqualTo("launched-run-full");
        assertThat(harness.http("/runs/run-full").body()).contains("RELEASED");
        assertThat(harness.http("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldProvideOnlyTheSelectedSecretsAndFailAMissingSelection() throws IOException {
        String root = harness.secretsRoot().toString();
        harness.launch(Events.launched("run-selected").setComputeEnv(Events.slurm(root))
                .setSecretSelection(Events.selection(List.of("DB_PASSWORD"), List.of())).build());
        harness.launch(Events.launched("run-missing").setComputeEnv(Events.slurm(root))
                .setSecretSelection(Events.selection(List.of("NO_SUCH_SECRET"), List.of())).build());

        harness.awaitAction("run-selected", AuditAction.SECRETS_PROVISIONED);
        harness.awaitAction("run-missing", AuditAction.PROVISION_FAILED);

        assertThat(storeContent(harness.storeFile("run-selected"))).containsOnlyKeys("DB_PASSWORD");
        AuditEvent failed = only("run-missing", AuditAction.PROVISION_FAILED);
        assertThat(failed.getErrorCode()).isEqualTo("SECRET_NOT_FOUND");
        assertThat(failed.getErrorMessage()).contains("NO_SUCH_SECRET");
        assertThat(harness.storeFile("run-missing").getParent()).doesNotExist();
    }

    @Test
    void shouldRecordACompletionBeforeItsLaunchAndNeverProvisionTheLateLaunch() {
        harness.complete(Events.completed("run-early").build());
        harness.awaitAction("run-early", AuditAction.COMPLETION_WITHOUT_LAUNCH);

        harness.launch(Events.launched("run-early").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());

        harness.awaitAction("run-early", AuditAction.LAUNCH_SKIPPED);
        assertThat(only("run-early", AuditAction.LAUNCH_SKIPPED).getReason()).isEqualTo("ALREADY_COMPLETED");
        assertThat(harness.storeFile("run-early").getParent()).doesNotExist();
    }

    @Test
    void shouldTreatDuplicateAndReplayedEventsAsNoOpsWithStableAuditIds() {
        WorkflowLaunched launch = Events.launched("run-dup").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build();
        harness.launch(launch);
        harness.awaitAction("run-dup", AuditAction.SECRETS_PROVISIONED);
        harness.launch(launch);
        harness.awaitAction("run-dup", AuditAction.LAUNCH_SKIPPED);
        harness.complete(Events.completed("run-dup").build());
        harness.awaitAction("run-dup", AuditAction.SECRETS_RELEASED);

        // Replay: the same launch and completion again.
        harness.launch(launch);
        harness.complete(Events.completed("run-dup").build());
        harness.awaitAudit("two LAUNCH_SKIPPED and one COMPLETION_SKIPPED for run-dup", events ->
                count(events, "run-dup", AuditAction.LAUNCH_SKIPPED) == 2
                        && count(events, "run-dup", AuditAction.COMPLETION_SKIPPED) == 1);

        assertThat(harness.storeFile("run-dup").getParent()).doesNotExist();
        List<AuditEvent> skipped = harness.auditOf("run-dup").stream()
                .filter(e -> e.getAction() == AuditAction.LAUNCH_SKIPPED).toList();
        assertThat(skipped).extracting(AuditEvent::getReason).containsOnly("DUPLICATE");
        assertThat(skipped.get(0).getEventId()).isEqualTo(skipped.get(1).getEventId());
        assertThat(count(harness.allAudit(), "run-dup", AuditAction.SECRET_CREATED)).isEqualTo(2);
        assertThat(count(harness.allAudit(), "run-dup", AuditAction.SECRETS_PROVISIONED)).isEqualTo(1);
    }

    @Test
    void shouldSkipAStaleLaunch() {
        harness.launch(Events.launched("run-stale").setComputeEnv(Events.slurm(harness.secretsRoot().toString()))
                .setLaunchedAt(Instant.now().minus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .build());

        harness.awaitAction("run-stale", AuditAction.LAUNCH_SKIPPED);

        assertThat(only("run-stale", AuditAction.LAUNCH_SKIPPED).getReason()).isEqualTo("STALE");
        assertThat(harness.storeFile("run-stale").getParent()).doesNotExist();
        assertThat(harness.http("/runs/run-stale").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldSendPoisonToTheDeadLetterQueueAndKeepProcessing() throws IOException {
        String launched = harness.topics().launched();
        String root = harness.secretsRoot().toString();
        harness.send(launched, "run-garbage", new byte[] {0x13, 0x37, 0x00, 0x11, 0x22, 0x33});
        harness.send(launched, "run-tiny", new byte[] {0x00, 0x01});
        harness.send(launched, "run-unknown-schema", new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4});
        harness.send(launched, "run-missing-fields", framedWithoutRequiredFields());
        harness.launch(Events.launched("").setComputeEnv(Events.slurm(root)).build());
        harness.launch(Events.launched("../../etc").setComputeEnv(Events.slurm(root)).build());
        harness.send(launched, "run-other-key", harnessSerialized(Events.launched("run-mismatch").build()));
        harness.send(harness.topics().completed(), "run-garbage", new byte[] {1, 2, 3, 4, 5, 6});
        harness.launch(Events.launched("run-after-poison").setComputeEnv(Events.slurm(root)).build());

        harness.awaitAction("run-after-poison", AuditAction.SECRETS_PROVISIONED);
        List<ConsumerRecord<byte[], byte[]>> dead = harness.awaitDeadLetters(8);

        Map<String, String> codeByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : dead) {
            codeByKey.put(new String(record.key(), StandardCharsets.UTF_8) + "@" + header(record, DeadLetters.SOURCE_TOPIC),
                    header(record, DeadLetters.ERROR_CODE));
            assertThat(header(record, DeadLetters.SOURCE_PARTITION)).isNotBlank();
            assertThat(header(record, DeadLetters.SOURCE_OFFSET)).isNotBlank();
            assertThat(header(record, DeadLetters.ERROR_MESSAGE)).isNotBlank();
            assertThat(header(record, DeadLetters.ERROR_CLASS)).isNotBlank();
        }
        assertThat(codeByKey).containsEntry("run-garbage@" + launched, "UNKNOWN_MAGIC_BYTE")
                .containsEntry("run-tiny@" + launched, "TOO_SHORT")
                .containsEntry("run-unknown-schema@" + launched, "UNKNOWN_SCHEMA_ID")
                .containsEntry("run-missing-fields@" + launched, "INCOMPATIBLE_SCHEMA")
                .containsEntry("@" + launched, "INVALID_RUN_ID")
                .containsEntry("../../etc@" + launched, "INVALID_RUN_ID")
                .containsEntry("run-other-key@" + launched, "KEY_MISMATCH")
                .containsEntry("run-garbage@" + harness.topics().completed(), "UNKNOWN_MAGIC_BYTE");
        assertThat(dead).filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals("run-garbage")
                        && launched.equals(header(r, DeadLetters.SOURCE_TOPIC)))
                .singleElement().satisfies(r -> assertThat(r.value()).containsExactly(0x13, 0x37, 0x00, 0x11, 0x22, 0x33));
        List<AuditEvent> rejected = harness.allAudit().stream()
                .filter(e -> e.getAction() == AuditAction.EVENT_REJECTED).toList();
        assertThat(rejected).hasSize(8).allSatisfy(e -> assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE));
        assertThat(rejected).extracting(AuditEvent::getRunId).contains("run-garbage", "run-unknown-schema")
                .as("a key that is no valid run id is no run id").doesNotContain("../../etc");
        assertThat(rejected).filteredOn(e -> "INVALID_RUN_ID".equals(e.getErrorCode())).isNotEmpty()
                .anySatisfy(e -> assertThat(e.getErrorMessage()).contains("../../etc"));
        assertThat(harness.secretsRoot().getParent().resolve("etc")).doesNotExist();
    }

    @Test
    void shouldRejectInvalidSecretRecordsAndNeverHandThemToARun() throws IOException {
        String secrets = harness.topics().secrets();
        harness.send(secrets, "workspace:" + Events.WORKSPACE + ":bad-name",
                harnessSecret(Events.workspaceSecret(Events.WORKSPACE, "bad-name", "x").build()));
        harness.send(secrets, "workspace:" + Events.WORKSPACE + ":MISMATCH",
                harnessSecret(Events.workspaceSecret(Events.WORKSPACE, "OTHER_NAME", "y").build()));
        harness.send(secrets, "not-a-key", harnessSecret(Events.workspaceSecret(Events.WORKSPACE, "GOOD", "z").build()));
        harness.send(secrets, "user:" + Events.USER + ":JUNK", new byte[] {9, 9, 9, 9, 9, 9});
        harness.send(secrets, "user:" + Events.USER + ":HUGE",
                harnessSecret(Events.userSecret(Events.USER, "HUGE", "h".repeat(65_600)).build()));

        harness.awaitAudit("5 SECRET_RECORD_REJECTED", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRET_RECORD_REJECTED).count() == 5);
        harness.launch(Events.launched("run-clean").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
        harness.awaitAction("run-clean", AuditAction.SECRETS_PROVISIONED);

        assertThat(storeContent(harness.storeFile("run-clean"))).containsOnlyKeys("API_TOKEN", "DB_PASSWORD");
        assertThat(harness.allAudit().stream().filter(e -> e.getAction() == AuditAction.SECRET_RECORD_REJECTED))
                .extracting(AuditEvent::getErrorCode)
                .containsExactlyInAnyOrder("MALFORMED_KEY", "INVALID_SECRET_RECORD", "MALFORMED_KEY",
                        "UNKNOWN_MAGIC_BYTE", "INVALID_SECRET_RECORD");
        assertThat(harness.awaitDeadLetters(5)).hasSize(5);
    }

    @Test
    void shouldDeleteTheSecretsOfARunThatCompletedWhileTheServiceWasDown() {
        String root = harness.secretsRoot().toString();
        for (int i = 0; i < 5; i++) {
            harness.launch(Events.launched("run-restart-" + i).setComputeEnv(Events.slurm(root)).build());
        }
        harness.awaitAudit("5 SECRETS_PROVISIONED", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_PROVISIONED).count() == 5);
        harness.stopService();
        for (int i = 0; i < 5; i++) {
            harness.complete(Events.completed("run-restart-" + i).build());
        }

        harness.startService();

        harness.awaitAudit("5 SECRETS_RELEASED", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_RELEASED).count() == 5);
        for (int i = 0; i < 5; i++) {
            assertThat(harness.storeFile("run-restart-" + i).getParent()).doesNotExist();
        }
    }

    // ---- helpers

    private List<AuditAction> actions(String runId) {
        return harness.auditOf(runId).stream().map(AuditEvent::getAction).toList();
    }

    private AuditEvent only(String runId, AuditAction action) {
        List<AuditEvent> matching = harness.auditOf(runId).stream().filter(e -> e.getAction() == action).toList();
        assertThat(matching).as(action + " of " + runId).hasSize(1);
        return matching.get(0);
    }

    private static long count(List<AuditEvent> events, String runId, AuditAction action) {
        return events.stream().filter(e -> runId.equals(e.getRunId()) && e.getAction() == action).count();
    }

    private static Map<String, String> storeContent(Path store) throws IOException {
        Map<String, String> content = new HashMap<>();
        for (JsonNode entry : JSON.readTree(store.toFile())) {
            content.put(entry.get("name").asText(), entry.get("value").asText());
        }
        return content;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private byte[] harnessSerialized(WorkflowLaunched launch) {
        return harness.serdes().launched().serializer().serialize(harness.topics().launched(), launch);
    }

    private byte[] harnessSecret(io.pipelinesecrets.events.SecretRecord secret) {
        return harness.serdes().secrets().serializer().serialize(harness.topics().secrets(), secret);
    }

    /** A launch written with a schema lacking runId and the other required fields, registered under its own subject. */
    private byte[] framedWithoutRequiredFields() {
        Schema partial = SchemaBuilder.record("WorkflowLaunched").namespace("io.pipelinesecrets.events").fields()
                .requiredString("eventId").endRecord();
        GenericRecord record = new GenericData.Record(partial);
        record.put("eventId", "partial-1");
        return WireFrames.framed(harness.registry().register("partial-value", partial).id(), partial, record);
    }
}
