package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of malformed records of every kind interleaved with good traffic: every bad one reaches the
 * dead-letter queue with an audit event, every good run is provisioned and released, and nothing escapes the
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
            int workflowPoison = 0;
            int secretPoison = 0;

            for (int i = 0; i < GOOD_RUNS; i++) {
                harness.sendAsync(launched, "good-" + i, harness.serdes().launched().serializer()
                        .serialize(launched, Events.launched("good-" + i).setComputeEnv(Events.slurm(root)).build()));
                for (int p = 0; p < POISON_PER_KIND * 7 / GOOD_RUNS + 1 && workflowPoison + secretPoison < POISON_PER_KIND * 7; p++) {
                    int kind = (workflowPoison + secretPoison) % 7;
                    int n = workflowPoison + secretPoison;
                    switch (kind) {
                        case 0 -> harness.sendAsync(launched, "garbage-" + n, garbage(random));
                        // A secret record (registered under its own subject) sent to the completed topic.
                        case 1 -> harness.sendAsync(completed, "wrong-schema-" + n, harness.serdes().secrets().serializer()
                                .serialize(secrets, Events.workspaceSecret("ws", "X1", "v").build()));
                        case 2 -> {
                            GenericRecord record = new GenericData.Record(partial);
                            record.put("eventId", "partial-" + n);
                            harness.sendAsync(launched, "missing-" + n, WireFrames.framed(partialId, partial, record));
                        }
                        case 3 -> harness.sendAsync(launched, "../../etc/passwd-" + n, harness.serdes().launched().serializer()
                                .serialize(launched, Events.launched("../../etc/passwd-" + n).setComputeEnv(Events.slurm(root)).build()));
                        case 4 -> harness.sendAsync(secrets, "workspace:" + Events.WORKSPACE + ":bad-name-" + n, harness.serdes()
                                .secrets().serializer().serialize(secrets, Events.workspaceSecret(Events.WORKSPACE, "bad-name-" + n, "v").build()));
                        case 5 -> harness.sendAsync(secrets, "workspace:" + Events.WORKSPACE + ":HUGE" + n, harness.serdes()
                                .secrets().serializer().serialize(secrets, Events.workspaceSecret(Events.WORKSPACE, "HUGE" + n,
                                        "x".repeat(70_000)).build()));
                        default -> harness.sendAsync(secrets, "user:" + Events.USER + ":JUNK" + n, garbage(random));
                    }
                    if (kind >= 4) {
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

            assertThat(poison).isEqualTo(POISON_PER_KIND * 7);
            assertThat(dead).hasSize(poison);
            assertThat(count(audit, AuditAction.EVENT_REJECTED)).isEqualTo(workflowPoison);
            assertThat(count(audit, AuditAction.SECRET_RECORD_REJECTED)).isEqualTo(secretPoison);
            assertThat(count(audit, AuditAction.SECRETS_PROVISIONED)).isEqualTo(GOOD_RUNS);
            assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader("dlq.error.code")).isNotNull());
            assertThat(dead).map(r -> new String(r.headers().lastHeader("dlq.error.code").value(), StandardCharsets.UTF_8))
                    .contains("UNKNOWN_MAGIC_BYTE", "INCOMPATIBLE_SCHEMA", "INVALID_RUN_ID", "MALFORMED_KEY",
                            "INVALID_SECRET_RECORD");
            try (Stream<Path> left = Files.list(harness.secretsRoot())) {
                assertThat(left.toList()).as("run directories after every good run completed").isEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(harness.secretsRoot().getParent().resolve("etc")).doesNotExist();
        }
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
