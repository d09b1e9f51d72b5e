package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.events.WireFrames;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ten bytes that stopped every partition (the hardening issue's first case), sent to the packaged service with a
 * heap of 256 MB: magic byte, schema id, then an Avro length of 2,000,000,000. On the launched topic and as a value
 * of the secrets topic, each becomes a dead letter with a code, and a good run on the same partition provisions
 * within seconds.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileRecordIntegrationTest {

    private static final Logger LOG = LoggerFactory.getLogger(HostileRecordIntegrationTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITION = 1;

    @Test
    void shouldDeadLetterTheTenByteRecordOnEitherTopicAndProvisionTheNextRunOnItsPartition(TestKafka kafka,
                                                                                          @TempDir Path work) throws Exception {
        PackagedService setup = PackagedService.create(kafka, work);
        int launchedSchema = setup.registry.register(setup.topics.launched() + "-value",
                EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
        int secretSchema = setup.registry.register(setup.topics.secrets() + "-value",
                EventSchemas.registryForm(SecretRecord.getClassSchema())).id();
        try (setup;
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                     new ByteArraySerializer());
             RecordLog<AuditEvent> audit = new RecordLog<>(kafka.bootstrapServers(), setup.topics.audit(),
                     r -> setup.serdes.audit().deserializer().deserialize(setup.topics.audit(), r.value()));
             RecordLog<ConsumerRecord<byte[], byte[]>> deadLetters = new RecordLog<>(kafka.bootstrapServers(),
                     setup.topics.deadLetters(), r -> r);
             ServiceProcess service = ServiceProcess.start(setup.writeConfig("hostile"), setup.adminPort, setup.output,
                     Map.of(), "256m")) {
            service.awaitReady(WAIT);
            send(producer, setup.topics.secrets(), "workspace:" + Events.WORKSPACE + ":DB_PASSWORD",
                    setup.serdes.secrets().serializer().serialize(setup.topics.secrets(),
                            Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "good-value").build()));

            byte[] launchBomb = WireFrames.claiming(launchedSchema, 2_000_000_000L);
            // A SecretRecord starts with its scope (enum index 0, one byte), then the owner id's length.
            byte[] secretBomb = WireFrames.claiming(secretSchema, 2_000_000_000L, (byte) 0);
            assertThat(launchBomb).hasSize(10);
            send(producer, setup.topics.launched(), "run-bomb", launchBomb);
            send(producer, setup.topics.secrets(), "workspace:" + Events.WORKSPACE + ":BOMB", secretBomb);
            long sentAt = System.nanoTime();
            send(producer, setup.topics.launched(), "run-after-bomb", setup.serdes.launched().serializer().serialize(
                    setup.topics.launched(), Events.launched("run-after-bomb")
                            .setComputeEnv(Events.slurm(setup.secretsRoot.toString())).build()));

            audit.await("run-after-bomb provisioned", events -> events.stream().anyMatch(e ->
                    "run-after-bomb".equals(e.getRunId()) && e.getAction() == AuditAction.SECRETS_PROVISIONED), WAIT);
            long provisionedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
            List<ConsumerRecord<byte[], byte[]>> dead = deadLetters.await("both bombs dead-lettered",
                    records -> records.size() >= 2, WAIT);

            assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_TOPIC) + " " + header(r, DeadLetters.ERROR_CODE))
                    .containsExactlyInAnyOrder(setup.topics.launched() + " LENGTH_EXCEEDS_RECORD",
                            setup.topics.secrets() + " LENGTH_EXCEEDS_RECORD");
            assertThat(setup.secretsRoot.resolve("run-after-bomb").resolve("store.json")).isRegularFile();
            assertThat(setup.output).noneMatch(line -> line.contains("OutOfMemoryError"));
            assertThat(provisionedMillis).as("the good run on the bomb's partition, launch to provisioned")
                    .isLessThan(WAIT.toMillis());
            LOG.info("HOSTILE: 10-byte records dead-lettered on both topics under -Xmx256m; the next run on partition {}"
                    + " provisioned {} ms after its launch was sent", PARTITION, provisionedMillis);
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, PARTITION, key, value)).get(30, TimeUnit.SECONDS);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
