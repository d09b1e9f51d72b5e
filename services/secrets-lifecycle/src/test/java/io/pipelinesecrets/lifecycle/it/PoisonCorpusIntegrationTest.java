package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.events.WireFrames;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of malformed records of every kind interleaved with good traffic — garbage, wrong and partial schemas,
 * unsafe run ids, length prefixes of two billion, invalid owner ids, launches from the future, 20 KB keys, oversized
 * and invalid secret records: every bad one reaches the dead-letter queue with its code and an audit event, every
 * dead letter and audit event stays small, every good run is provisioned and released, and nothing escapes the
 * allowed root.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PoisonCorpusIntegrationTest {

    private static final int GOOD_RUNS = 60;
    private static final int POISON_PER_KIND = 40;

    @Test
    void shouldDeadLetterEveryPoisonRecordAndProcessEveryGoodOne(TestKafka kafka, @TempDir Path work) {
        try (ServiceHarness harness = ServiceHarness.start(kafka, work)) {
            harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "good-value").build());
            String launched = harness.topics().launched();
            String completed = harness.topics().completed();
            String secrets = harness.topics().secrets();
            String root = harness.secretsRoot().toString();
            Schema partial = SchemaBuilder.record("WorkflowLaunched").namespace("io.pipelinesecrets.events").fields()
                    .requiredString("eventId").endRecord();
            int partialId = harness.registry().register("partial-value", partial).id();
            Random random = new Random(42);
            int launchedSchema = harness.registry().register(launched + "-value",
                    EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
            int secretSchema = harness.registry().register(secrets + "-value",
                    EventSchemas.registryForm(SecretRecord.getClassSchema())).id();
            List<Poison> kinds = List.of(
                    new Poison(launched, "UNKNOWN_MAGIC_BYTE", n -> "garbage-" + n, n -> garbage(random)),
                    // A secret record (registered under its own subject) sent to the completed topic.
                    new Poison(completed, "INCOMPATIBLE_SCHEMA", n -> "wrong-schema-" + n, n -> harness.serdes().secrets()
                            .serializer().serialize(secrets, Events.workspaceSecret("ws", "X1", "v").build())),
                    new Poison(launched, "INCOMPATIBLE_SCHEMA", n -> "missing-" + n, n -> {
                        GenericRecord record = new GenericData.Record(partial);
                        record.put("eventId", "partial-" + n);
                        return WireFrames.framed(partialId, partial, record);
                    }),
                    new Poison(launched, "INVALID_RUN_ID", n -> "../../etc/passwd-" + n, n -> harness.serdes().launched()
                            .serializer().serialize(launched, Events.launched("../../etc/passwd-" + n)
                                    .setComputeEnv(Events.slurm(root)).build())),
                    // The ten bytes of the hardening issue: a string length of two billion.
                    new Poison(launched, "LENGTH_EXCEEDS_RECORD", n -> "bomb-" + n,
                            n -> WireFrames.claiming(launchedSchema, 2_000_000_000L + n)),
                    new Poison(launched, "INVALID_OWNER_ID", n -> "bad-owner-" + n, n -> harness.serdes().launched()
                            .serializer().serialize(launched, Events.launched("bad-owner-" + n).setUserId("user:" + n)
                                    .setComputeEnv(Events.slurm(root)).build())),
                    new Poison(launched, "LAUNCHED_IN_FUTURE", n -> "future-" + n, n -> harness.serdes().launched()
                            .serializer().serialize(launched, Events.launched("future-" + n)
                                    .setLaunchedAt(Instant.now().plus(Duration.ofDays(3650))).setComputeEnv(Events.slurm(root)).build())),
                    // A 20 KB key copied into no message, header or run id whole.
                    new Poison(launched, "KEY_MISMATCH", n -> "k".repeat(20_000) + n, n -> harness.serdes().launched()
                            .serializer().serialize(launched, Events.launched("good-0").setComputeEnv(Events.slurm(root)).build())),
                    new Poison(secrets, "MALFORMED_KEY", n -> "workspace:" + Events.WORKSPACE + ":bad-name-" + n,
                            n -> harness.serdes().secrets().serializer().serialize(secrets,
                                    Events.workspaceSecret(Events.WORKSPACE, "bad-name-" + n, "v").build())),
                    new Poison(secrets, "INVALID_SECRET_RECORD", n -> "workspace:" + Events.WORKSPACE + ":NAMED" + n,
                            n -> harness.serdes().secrets().serializer().serialize(secrets,
                                    Events.workspaceSecret(Events.WORKSPACE, "OTHER" + n, "v").build())),
                    new Poison(secrets, "RECORD_TOO_LARGE", n -> "workspace:" + Events.WORKSPACE + ":HUGE" + n,
                            n -> harness.serdes().secrets().serializer().serialize(secrets,
                                    Events.workspaceSecret(Events.WORKSPACE, "HUGE" + n, "x".repeat(70_000)).build())),
                    // scope WORKSPACE, then an owner id claiming two billion bytes
                    new Poison(secrets, "LENGTH_EXCEEDS_RECORD", n -> "workspace:" + Events.WORKSPACE + ":BOMB" + n,
                            n -> WireFrames.claiming(secretSchema, 2_000_000_000L + n, (byte) 0)),
                    new Poison(secrets, "UNKNOWN_MAGIC_BYTE", n -> "user:" + Events.USER + ":JUNK" + n, n -> garbage(random)));
            int total = POISON_PER_KIND * kinds.size();
            int sent = 0;
            int workflowPoison = 0;
            int secretPoison = 0;

            for (int i = 0; i < GOOD_RUNS; i++) {
                harness.sendAsync(launched, "good-" + i, harness.serdes().launched().serializer()
                        .serialize(launched, Events.launched("good-" + i).setComputeEnv(Events.slurm(root)).build()));
                for (int p = 0; p < total / GOOD_RUNS + 1 && sent < total; p++, sent++) {
                    Poison kind = kinds.get(sent % kinds.size());
                    harness.sendAsync(kind.topic(), kind.key().apply(sent), kind.value().apply(sent));
                    if (kind.topic().equals(secrets)) {
                        secretPoison++;
                    } else {
                        workflowPoison++;
                    }
                }
            }
            // As on the platform, a run completes after it was provisioned: a completion racing its launch across
            // the two topics would rightly make the launch a no-op, which is not what this test is about.
            harness.flush();
            harness.awaitAudit(GOOD_RUNS + " provisioned", events -> count(events, AuditAction.SECRETS_PROVISIONED) == GOOD_RUNS);
            for (int i = 0; i < GOOD_RUNS; i++) {
                harness.sendAsync(completed, "good-" + i, harness.serdes().completed().serializer()
                        .serialize(completed, Events.completed("good-" + i).build()));
            }
            harness.flush();

            int poison = workflowPoison + secretPoison;
            List<AuditEvent> audit = harness.awaitAudit(GOOD_RUNS + " released and " + poison + " rejections", events ->
                    count(events, AuditAction.SECRETS_RELEASED) == GOOD_RUNS
                            && count(events, AuditAction.EVENT_REJECTED) + count(events, AuditAction.SECRET_RECORD_REJECTED) == poison);
            List<ConsumerRecord<byte[], byte[]>> dead = harness.awaitDeadLetters(poison);

            assertThat(poison).isEqualTo(total);
            assertThat(dead).hasSize(poison);
            assertThat(count(audit, AuditAction.EVENT_REJECTED)).isEqualTo(workflowPoison);
            assertThat(count(audit, AuditAction.SECRET_RECORD_REJECTED)).isEqualTo(secretPoison);
            assertThat(count(audit, AuditAction.SECRETS_PROVISIONED)).isEqualTo(GOOD_RUNS);
            assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader("dlq.error.code")).isNotNull());
            assertThat(dead).map(r -> new String(r.headers().lastHeader("dlq.error.code").value(), StandardCharsets.UTF_8))
                    .containsAll(kinds.stream().map(Poison::code).toList());
            assertThat(dead).allSatisfy(r -> assertThat(r.serializedKeySize() + Math.max(0, r.serializedValueSize()))
                    .as("every dead letter fits its topic").isLessThan(1_000_000));
            assertThat(audit).allSatisfy(e -> assertThat(e.toString().length()).as("every audit event bounded")
                    .isLessThan(10_000));
            try (Stream<Path> left = Files.list(harness.secretsRoot())) {
                assertThat(left.toList()).as("run directories after every good run completed").isEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(harness.secretsRoot().getParent().resolve("etc")).doesNotExist();
        }
    }

    /** One kind of poison: where it goes, the code its dead letter must carry, its key and value for the n-th record. */
    private record Poison(String topic, String code, IntFunction<String> key, IntFunction<byte[]> value) {
    }

    private static byte[] garbage(Random random) {
        byte[] bytes = new byte[5 + random.nextInt(40)];
        random.nextBytes(bytes);
        bytes[0] = (byte) (1 + random.nextInt(100));
        return bytes;
    }

    private static long count(List<AuditEvent> events, AuditAction action) {
        return events.stream().filter(e -> e.getAction() == action).count();
    }
}
