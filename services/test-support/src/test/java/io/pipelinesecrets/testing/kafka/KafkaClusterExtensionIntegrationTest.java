package io.pipelinesecrets.testing.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaClusterExtensionIntegrationTest {

    @Test
    void shouldDeliverEveryRecordProducedRightAfterTheTopicIsCreated(TestKafka kafka) throws Exception {
        String topic = kafka.createTopic("records", 3);

        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            }
            producer.flush();
        }

        List<ConsumerRecord<String, String>> records = TopicReader.readCount(kafka.consumerConfig("reader"), topic,
                new StringDeserializer(), new StringDeserializer(), 300, Duration.ofSeconds(30));
        assertThat(records).extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(300);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
    }

    @Test
    void shouldGiveEveryTestItsOwnNames(TestKafka kafka) {
        String first = kafka.uniqueName("topic");
        String second = kafka.uniqueName("topic");

        assertThat(first).startsWith("KafkaClusterExtensionIntegrationTest.shouldGiveEveryTestItsOwnNames.topic.")
                .isNotEqualTo(second);
        assertThat(kafka.uniqueName("bad name/[1]")).matches("[A-Za-z0-9._-]+");
    }

    @Test
    void shouldShareOneClusterAcrossTests(TestKafka first, TestKafka second) {
        assertThat(first.cluster()).isSameAs(second.cluster());
        assertThat(first.cluster().brokerCount()).isEqualTo(1);
    }

    @Test
    void shouldCreateTopicsWithTheirConfiguration(TestKafka kafka) throws Exception {
        String topic = kafka.createTopic("compacted", 2, Map.of("cleanup.policy", "compact"));

        try (Admin admin = kafka.admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).hasSize(2);
            var config = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic))).all().get().values().iterator().next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }
}
