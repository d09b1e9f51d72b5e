package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.testing.kafka.TopicReader;
import io.pipelinesecrets.testing.net.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddedKafkaBrokerIntegrationTest {

    @Test
    void shouldKeepTopicsRecordsAndClusterIdAcrossRestarts(@TempDir Path dataDirectory) throws Exception {
        int brokerPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        String clusterId;

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDirectory, brokerPort, controllerPort)) {
            assertThat(broker.reusedData()).isFalse();
            assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + brokerPort);
            clusterId = broker.clusterId();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("kept", "run-1", "before restart")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(dataDirectory.resolve("kafka/cluster.id")).content().contains(clusterId);

        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.start(dataDirectory, brokerPort, controllerPort)) {
            assertThat(again.reusedData()).isTrue();
            assertThat(again.clusterId()).isEqualTo(clusterId);
            List<ConsumerRecord<String, String>> records = TopicReader.readCount(Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, again.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG, "reader",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    "kept", new StringDeserializer(), new StringDeserializer(), 1, Duration.ofSeconds(60));
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("before restart");
        }
    }
}
