package io.pipelinesecrets.serde;

import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import io.pipelinesecrets.testing.kafka.TopicReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EventSerdeRoundTripIntegrationTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldRoundTripEveryEventTypeThroughARealBroker(TestKafka kafka) throws Exception {
        for (SpecificRecord event : SampleEvents.everyType()) {
            String topic = kafka.createTopic(event.getSchema().getName(), 1);
            SpecificAvroSerde<SpecificRecord> serde = serdeFor(event);

            try (KafkaProducer<String, SpecificRecord> producer =
                         new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), serde.serializer())) {
                producer.send(new ProducerRecord<>(topic, "run-1", event)).get(30, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<String, SpecificRecord>> read = TopicReader.readCount(kafka.consumerConfig("reader"),
                    topic, new StringDeserializer(), serde.deserializer(), 1, Duration.ofSeconds(30));

            assertThat(read).singleElement().extracting(ConsumerRecord::value).isEqualTo(event);
        }
    }

    @Test
    void shouldLocateAnUndecodableRecordByPartitionAndOffset(TestKafka kafka) throws Exception {
        String topic = kafka.createTopic("poison", 1);
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "run-1", new byte[] {1, 2, 3, 4, 5, 6})).get(30, TimeUnit.SECONDS);
        }

        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(kafka.consumerConfig("reader"),
                new StringDeserializer(), serdeFor(SampleEvents.everyType().get(0)).deserializer())) {
            consumer.subscribe(List.of(topic));
            // The poll blocks for up to 200 ms by itself; one of them must reach the record and fail.
            RecordDeserializationException failure = Await.atMost(Duration.ofSeconds(30)).every(Duration.ZERO)
                    .until("poll to fail on the poison record", () -> catchThrowableOfType(
                            RecordDeserializationException.class, () -> consumer.poll(Duration.ofMillis(200))),
                            Objects::nonNull, none -> "every poll returned without failing");

            assertThat(failure.topicPartition().partition()).isZero();
            assertThat(failure.offset()).isZero();
            UndecodableRecordException cause = (UndecodableRecordException) failure.getCause();
            assertThat(cause.reason()).isEqualTo(UndecodableRecordException.Reason.UNKNOWN_MAGIC_BYTE);
            assertThat(cause.at(failure.topicPartition().partition(), failure.offset()))
                    .hasMessageContaining(topic + " partition 0 offset 0");
        }
    }

    @SuppressWarnings("unchecked")
    private SpecificAvroSerde<SpecificRecord> serdeFor(SpecificRecord event) {
        return new SpecificAvroSerde<>(registry, (Class<SpecificRecord>) event.getClass(), true);
    }
}
