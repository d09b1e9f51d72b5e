package io.pipelinesecrets.testing.kafka;

import org.apache.kafka.clients.admin.Admin;
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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(KafkaClusterExtension.class)
@KafkaBrokers(3)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ThreeBrokerClusterIntegrationTest {

    @Test
    void shouldKeepEveryAcknowledgedRecordWhenThePartitionLeaderStopsAndReturns(TestKafka kafka) throws Exception {
        assumeTrue(kafka.cluster().brokerIds().size() == 3, "needs the in-JVM three-broker cluster");
        String topic = kafka.createTopic("replicated", 1);
        int leader = leaderOf(kafka, topic);

        List<Future<?>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 1500; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
            }
            producer.flush();
            kafka.cluster().stopBroker(leader);
            for (int i = 1500; i < 3000; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
            }
            producer.flush();
            kafka.cluster().startBroker(leader);
        }
        for (Future<?> send : sends) {
            send.get(60, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<String, String>> records = TopicReader.readCount(kafka.consumerConfig("reader"), topic,
                new StringDeserializer(), new StringDeserializer(), 3000, Duration.ofSeconds(60));
        assertThat(records).extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(3000);
        assertThat(leaderOf(kafka, topic)).isNotNegative();
    }

    private static int leaderOf(TestKafka kafka, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().get(0).leader().id();
        }
    }
}
