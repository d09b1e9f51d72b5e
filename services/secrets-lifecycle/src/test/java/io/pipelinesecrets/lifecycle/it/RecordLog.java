package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.testing.await.Await;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Everything committed to one topic so far, read without a consumer group (assigned partitions, from the
 * beginning), polled on demand by the test thread. {@link #await} waits for a condition and, on timeout, fails
 * saying what it expected and what it saw.
 */
public final class RecordLog<T> implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Function<ConsumerRecord<byte[], byte[]>, T> decoder;
    private final List<T> seen = new ArrayList<>();
    private final String topic;

    public RecordLog(String bootstrapServers, String topic, Function<ConsumerRecord<byte[], byte[]>, T> decoder) {
        this.topic = topic;
        this.decoder = decoder;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    public synchronized List<T> poll() {
        consumer.poll(Duration.ofMillis(50)).forEach(record -> seen.add(decoder.apply(record)));
        return List.copyOf(seen);
    }

    public List<T> await(String expectation, Predicate<List<T>> done, Duration timeout) {
        // poll() blocks for up to 50 ms by itself: no pause between probes.
        return Await.atMost(timeout).every(Duration.ZERO).until(expectation + " on " + topic, this::poll, done, current -> {
            StringBuilder shown = new StringBuilder();
            current.stream().skip(Math.max(0, current.size() - 40)).forEach(r -> shown.append("\n  ").append(r));
            return current.size() + " record(s), the last ones:" + shown;
        });
    }

    @Override
    public void close() {
        consumer.close();
    }
}
