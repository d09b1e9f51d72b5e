package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records at and over the broker's limit (the hardening issue's second case): a record of the launched topic near
 * {@code max.message.bytes} cannot be copied whole into a dead letter, and a dead letter the dead-letter topic
 * refuses (its limit lowered while the service runs) cannot be written at all. Either way the record is
 * accounted for in the DLQ and the next run on the topic provisions: no stream thread dies on it.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OversizedRecordIntegrationTest {

    /** Just under the brokers' default max.message.bytes (1,048,588) with the record's own framing. */
    private static final int NEAR_THE_LIMIT = 1_048_000;

    @Test
    void shouldDeadLetterARecordAtTheBrokersLimitWithoutItsValueAndGoOn(TestKafka kafka, @TempDir Path work) throws Exception {
        try (ServiceHarness harness = ServiceHarness.start(kafka, work);
             KafkaProducer<byte[], byte[]> large = largeRecordProducer(kafka)) {
            harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "oversize-canary").build());
            byte[] nearLimit = new byte[NEAR_THE_LIMIT];
            large.send(new ProducerRecord<>(harness.topics().launched(), "run-huge".getBytes(StandardCharsets.UTF_8),
                    nearLimit)).get(30, TimeUnit.SECONDS);
            harness.launch(Events.launched("run-after-huge").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());

            harness.awaitAction("run-after-huge", AuditAction.SECRETS_PROVISIONED);
            ConsumerRecord<byte[], byte[]> dead = harness.awaitDeadLetters(1).get(0);

            assertThat(dead.value()).as("too large to copy").isNull();
            assertThat(header(dead, DeadLetters.VALUE_OMITTED)).isEqualTo(Integer.toString(NEAR_THE_LIMIT));
            assertThat(header(dead, DeadLetters.ERROR_CODE)).as("zeros: magic byte 0, schema id 0").isEqualTo("UNKNOWN_SCHEMA_ID");
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("run-huge");
            assertThat(harness.auditOf("run-huge")).extracting(AuditEvent::getAction).containsExactly(AuditAction.EVENT_REJECTED);
        }
    }

    /**
     * Under exactly-once the refused dead letter fails its transaction and the stream thread is replaced (with fast
     * group settings, so the test does not wait out a 45 s session); the limit it taught makes the next dead letter
     * shed the value, and that one is written.
     */
    @Test
    void shouldWriteASmallerDeadLetterAfterTheTopicRefusedOneAndGoOn(TestKafka kafka, @TempDir Path work) throws Exception {
        try (ServiceHarness harness = ServiceHarness.start(kafka, work,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2)),
                Duration.ofMillis(20), Map.of("commit.interval.ms", 50, "session.timeout.ms", 6000,
                        "heartbeat.interval.ms", 1000))) {
            harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "refused-canary").build());
            // Lowered while the service runs: what it learnt at start no longer holds.
            try (Admin admin = kafka.admin()) {
                ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, harness.topics().deadLetters());
                Map<ConfigResource, Collection<AlterConfigOp>> lower = Map.of(dlq, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "20000"), AlterConfigOp.OpType.SET)));
                admin.incrementalAlterConfigs(lower).all().get(30, TimeUnit.SECONDS);
            }
            harness.send(harness.topics().launched(), "run-refused", new byte[60_000]);
            harness.launch(Events.launched("run-after-refused").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());

            harness.awaitAction("run-after-refused", AuditAction.SECRETS_PROVISIONED);
            ConsumerRecord<byte[], byte[]> dead = harness.awaitDeadLetters(1).get(0);

            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("run-refused");
            assertThat(header(dead, DeadLetters.VALUE_OMITTED)).isEqualTo("60000");
            assertThat(dead.value()).isNull();
            assertThat(harness.auditOf("run-refused")).extracting(AuditEvent::getAction).containsExactly(AuditAction.EVENT_REJECTED);
        }
    }

    private static KafkaProducer<byte[], byte[]> largeRecordProducer(TestKafka kafka) {
        Map<String, Object> config = new java.util.HashMap<>(kafka.producerConfig());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * NEAR_THE_LIMIT);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
