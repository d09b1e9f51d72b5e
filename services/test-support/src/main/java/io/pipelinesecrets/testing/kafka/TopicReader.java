package io.pipelinesecrets.testing.kafka;

import io.pipelinesecrets.testing.await.Await;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a topic from the beginning until the records seen satisfy a condition, or fails saying what it expected
 * and what it saw — the test-side counterpart of "done means consumer lag 0".
 */
public final class TopicReader {

    private TopicReader() {
    }

    public static <K, V> List<ConsumerRecord<K, V>> readUntil(
            Map<String, Object> consumerConfig, String topic, Deserializer<K> keys, Deserializer<V> values,
            String expectation, Predicate<List<ConsumerRecord<K, V>>> done, Duration timeout) {
        List<ConsumerRecord<K, V>> seen = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(consumerConfig, keys, values)) {
            consumer.subscribe(List.of(topic));
            // The poll blocks for up to 100 ms by itself: no pause between probes.
            return Await.atMost(timeout).every(Duration.ZERO).until(expectation + " on " + topic, () -> {
                if (!done.test(seen)) {
                    consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                }
                return seen;
            }, done, records -> records.size() + " record(s): " + summary(records));
        }
    }

    public static <K, V> List<ConsumerRecord<K, V>> readCount(
            Map<String, Object> consumerConfig, String topic, Deserializer<K> keys, Deserializer<V> values,
            int count, Duration timeout) {
        return readUntil(consumerConfig, topic, keys, values, count + " record(s)", seen -> seen.size() >= count, timeout);
    }

    private static <K, V> String summary(List<ConsumerRecord<K, V>> seen) {
        StringBuilder text = new StringBuilder();
        for (ConsumerRecord<K, V> record : seen.subList(0, Math.min(20, seen.size()))) {
            text.append("\n  ").append(record.partition()).append('@').append(record.offset())
                    .append(" key=").append(record.key()).append(" value=").append(record.value());
        }
        if (seen.size() > 20) {
            text.append("\n  ... and ").append(seen.size() - 20).append(" more");
        }
        return text.toString();
    }
}
