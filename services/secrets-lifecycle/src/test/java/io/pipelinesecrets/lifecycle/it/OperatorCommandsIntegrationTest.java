package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.schemas.EventSubjects;
import io.pipelinesecrets.lifecycle.service.BoundedTopicReader;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator commands {@code runs show}, {@code replay completions} and {@code replay dead-letters} as an
 * operator runs them (a config file naming the cluster, the registry and the topics) against the real service on
 * the test cluster. Secrets carry canary values; no command output, log line or run-state record may show one.
 */
@ExtendWith(KafkaClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OperatorCommandsIntegrationTest {

    private static final String WORKSPACE_CANARY = "canary-ops-ws-4d3c2b";
    private static final String USER_CANARY = "canary-ops-user-8e7f6a";
    private static final String REJECTED_CANARY = "canary-ops-rejected-1f2e";
    private static final List<String> CANARIES = List.of(WORKSPACE_CANARY, USER_CANARY, REJECTED_CANARY);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestKafka kafka;
    private SchemaRegistry registry;
    private ServiceHarness harness;
    private LogCapture logs;
    private Path config;
    private final List<String> outputs = new ArrayList<>();

    @BeforeAll
    void startService(TestKafka kafka, @TempDir Path work) throws IOException {
        this.kafka = kafka;
        logs = LogCapture.attach();
        // A registry the commands reach by URL, as in production: mock:// scopes are shared within the JVM.
        String registryUrl = "mock://" + kafka.uniqueName("registry");
        registry = SchemaRegistries.open(registryUrl);
        harness = ServiceHarness.startWithRegistry(kafka, work, registry, h -> EventSubjects.of(h.topics()).subjects()
                .forEach(subject -> registry.register(subject.name(), subject.schema())));
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", WORKSPACE_CANARY).build());
        harness.publishSecret(Events.userSecret(Events.USER, "API_TOKEN", USER_CANARY).build());
        config = Files.writeString(work.resolve("service.properties"), String.join("\n",
                "application.id=" + harness.applicationId(),
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "schema.registry.url=" + registryUrl,
                "topics.launched=" + harness.topics().launched(),
                "topics.completed=" + harness.topics().completed(),
                "topics.secrets=" + harness.topics().secrets(),
                "topics.audit=" + harness.topics().audit(),
                "topics.dlq=" + harness.topics().deadLetters()));
    }

    @AfterAll
    void noCanaryAnywhere() {
        try {
            harness.allAudit().forEach(event -> outputs.add(event.toString()));
            outputs.addAll(logs.lines());
            assertThat(outputs).as("captured outputs").hasSizeGreaterThan(10);
            for (String canary : CANARIES) {
                assertThat(outputs).as("outputs containing " + canary).noneMatch(line -> line.contains(canary));
            }
        } finally {
            logs.close();
            harness.close();
        }
    }

    @Test
    void shouldShowARunsPhaseAndSecretNamesFromTheChangelogButNeverAValue() throws IOException {
        launch("show-1");
        harness.awaitAction("show-1", AuditAction.SECRETS_PROVISIONED);

        Result shown = cli("runs", "show", "show-1", "--config", config.toString());

        assertThat(shown.exit()).as(shown.toString()).isZero();
        assertThat(shown.out()).containsPattern("phase\\s+ACTIVE").contains("filesystem").contains("ce-slurm (slurm)")
                .containsPattern("API_TOKEN\\s+USER\\s+\\d+\\s+CREATED")
                .containsPattern("DB_PASSWORD\\s+WORKSPACE\\s+\\d+\\s+CREATED")
                .contains(harness.storeFile("show-1").toString());

        Result json = cli("runs", "show", "show-1", "--config", config.toString(), "--json");
        assertThat(json.exit()).as(json.toString()).isZero();
        JsonNode state = JSON.readTree(json.out());
        assertThat(state.get("phase").asText()).isEqualTo("ACTIVE");
        assertThat(state.get("manifest").findValuesAsText("name")).containsExactlyInAnyOrder("API_TOKEN", "DB_PASSWORD");

        Result unknown = cli("runs", "show", "never-launched", "--config", config.toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no state in " + harness.applicationId() + "-run-state-changelog");

        List<ConsumerRecord<byte[], byte[]>> changelog = read(RunStateChangelog.topicFor(harness.applicationId()));
        assertThat(changelog).as("run-state changelog records").isNotEmpty();
        changelog.forEach(record -> outputs.add(record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8)));
    }

    @Test
    void shouldRefuseAReleasedRunAndReleaseAnActiveOne() {
        launch("replay-active");
        launch("replay-released");
        harness.awaitAction("replay-active", AuditAction.SECRETS_PROVISIONED);
        harness.awaitAction("replay-released", AuditAction.SECRETS_PROVISIONED);
        harness.complete(Events.completed("replay-released").build());
        harness.awaitAction("replay-released", AuditAction.SECRETS_RELEASED);

        Result dryRun = cli("replay", "completions", "--config", config.toString(),
                "--run", "replay-active", "--run", "replay-released", "--run", "replay-unknown");

        assertThat(dryRun.exit()).as(dryRun.toString()).isEqualTo(1);
        assertThat(dryRun.out()).containsPattern("replay-active\\s+ACTIVE\\s+WOULD SEND")
                .containsPattern("replay-released\\s+RELEASED\\s+REFUSED\\s+already RELEASED")
                .containsPattern("replay-unknown\\s+\\(unknown\\)\\s+REFUSED\\s+no state")
                .contains("Would send WorkflowCompleted{eventId=replay-completion:replay-active, status=UNKNOWN}")
                .contains("Dry run: nothing sent.");
        assertThat(keyed(read(harness.topics().completed()), "replay-active")).as("completions of replay-active").isEmpty();
        assertThat(harness.storeFile("replay-active")).exists();

        Result executed = cli("replay", "completions", "--config", config.toString(), "--run", "replay-active", "--execute");

        assertThat(executed.exit()).as(executed.toString()).isZero();
        assertThat(executed.out()).contains("Sent replay-completion:replay-active to " + harness.topics().completed());
        harness.awaitAction("replay-active", AuditAction.SECRETS_RELEASED);
        AuditEvent released = harness.auditOf("replay-active").stream()
                .filter(e -> e.getAction() == AuditAction.SECRETS_RELEASED).findFirst().orElseThrow();
        assertThat(released.getCausationEventId()).isEqualTo("replay-completion:replay-active");
        assertThat(released.getSecretNames()).containsExactlyInAnyOrder("API_TOKEN", "DB_PASSWORD");
        assertThat(harness.storeFile("replay-active").getParent()).doesNotExist();
        assertThat(cli("runs", "show", "replay-active", "--config", config.toString()).out())
                .containsPattern("phase\\s+RELEASED");

        Result again = cli("replay", "completions", "--config", config.toString(), "--run", "replay-active", "--execute");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.out()).contains("already RELEASED").contains("Nothing to send.");
    }

    @Test
    void shouldRepublishADeadLetteredLaunchToItsSourceWithoutTheDeadLetterHeadersOnceItIsValid() throws IOException {
        String launchedSubject = harness.topics().launched() + "-value";
        int nextId = EventSubjects.of(harness.topics()).subjects().stream()
                .mapToInt(subject -> registry.lookup(subject.name(), subject.schema()).id()).max().orElseThrow() + 1;
        WorkflowLaunched launch = Events.launched("dlq-1").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build();
        // Written by a producer with a newer schema version it has not registered yet: the schema id is unknown.
        byte[] current = harness.serdes().launched().serializer().serialize(harness.topics().launched(), launch);
        byte[] value = java.util.Arrays.copyOf(current, current.length + 1); // + the new optional field, null
        ByteBuffer.wrap(value).putInt(1, nextId);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        byte[] rejectedSecret = harness.serdes().secrets().serializer().serialize(harness.topics().secrets(),
                Events.workspaceSecret(Events.WORKSPACE, "REJECTED", REJECTED_CANARY).build());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(harness.topics().launched(), null, bytes("dlq-1"), value, headers));
            producer.send(new ProducerRecord<>(harness.topics().secrets(), bytes("not-a-secret-key"), rejectedSecret));
        }
        harness.awaitDeadLetters(2);

        Result dryRun = cli("replay", "dead-letters", "--config", config.toString());

        assertThat(dryRun.exit()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out()).containsPattern(harness.topics().launched() + "\\s+UNKNOWN_SCHEMA_ID\\s+1\\s+\\S+\\s+1")
                .containsPattern(harness.topics().secrets() + "\\s+MALFORMED_KEY\\s+1\\s+\\S+\\s+0\\s+secrets topic is compacted")
                .contains("Would re-publish 1 record(s)");
        assertThat(keyed(read(harness.topics().launched()), "dlq-1")).hasSize(1);

        assertThat(registry.register(launchedSubject, withOptionalField(EventSchemas.registryForm(WorkflowLaunched.getClassSchema())))
                .id()).as("the id the dead-lettered record names").isEqualTo(nextId);
        Result executed = cli("replay", "dead-letters", "--config", config.toString(), "--code", "UNKNOWN_SCHEMA_ID", "--execute");

        assertThat(executed.exit()).as(executed.toString()).isZero();
        assertThat(executed.out()).contains("Re-published 1 record(s).");
        List<ConsumerRecord<byte[], byte[]>> launches = keyed(read(harness.topics().launched()), "dlq-1");
        assertThat(launches).hasSize(2);
        ConsumerRecord<byte[], byte[]> original = launches.get(0);
        ConsumerRecord<byte[], byte[]> replayed = launches.get(1);
        assertThat(replayed.value()).isEqualTo(value);
        assertThat(replayed.partition()).isEqualTo(original.partition());
        assertThat(replayed.headers().toArray()).extracting(Header::key).containsExactly("trace-id");
        harness.awaitAction("dlq-1", AuditAction.SECRETS_PROVISIONED);
        assertThat(keyed(read(harness.topics().secrets()), "not-a-secret-key")).as("secret records re-published").hasSize(1);
    }

    // ---- helpers

    private void launch(String runId) {
        harness.launch(Events.launched(runId).setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PipelineSecretsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        outputs.add(out.toString());
        outputs.add(err.toString());
        return new Result(exit, out.toString(), err.toString());
    }

    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        BoundedTopicReader.read(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic, Duration.ofSeconds(30),
                records::add);
        return records;
    }

    private static List<ConsumerRecord<byte[], byte[]>> keyed(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        return records.stream().filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(key))
                .toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The next version of a schema: an optional field at the end, which the service's reader ignores. */
    private static Schema withOptionalField(Schema schema) throws IOException {
        ObjectNode tree = (ObjectNode) JSON.readTree(schema.toString());
        ObjectNode field = ((com.fasterxml.jackson.databind.node.ArrayNode) tree.get("fields")).addObject();
        field.put("name", "launchNote");
        field.putArray("type").add("null").add("string");
        field.putNull("default");
        return new Schema.Parser().parse(JSON.writeValueAsString(tree));
    }
}
