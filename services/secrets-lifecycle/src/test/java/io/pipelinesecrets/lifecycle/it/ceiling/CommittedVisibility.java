package io.pipelinesecrets.lifecycle.it.ceiling;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * When each run's outcome became visible to a {@code read_committed} consumer of an audit topic: the moment a
 * dashboard could see it, which is after the transaction that wrote it committed. A record is decoded into the
 * run and phase it reports, or nothing; the first sighting of each counts.
 */
public final class CommittedVisibility implements AutoCloseable {

    /** A run reaching a phase, as a decoded audit record says. */
    public record Sighting(String runId, String phase) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Function<ConsumerRecord<byte[], byte[]>, Optional<Sighting>> decoder;
    private final Map<String, Map<String, Long>> seenAt = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean stopped;

    public CommittedVisibility(Map<String, Object> consumerConfig, String topic,
                               Function<ConsumerRecord<byte[], byte[]>, Optional<Sighting>> decoder) {
        Map<String, Object> config = new java.util.HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.decoder = decoder;
        consumer.subscribe(List.of(topic));
        this.poller = new Thread(this::poll, "committed-visibility-" + topic);
        poller.setDaemon(true);
        poller.start();
    }

    /** When {@code runId} was first seen in {@code phase}, in epoch milliseconds, if it was. */
    public Optional<Long> seenAt(String phase, String runId) {
        return Optional.ofNullable(seenAt.getOrDefault(phase, Map.of()).get(runId));
    }

    public int count(String phase) {
        return seenAt.getOrDefault(phase, Map.of()).size();
    }

    private void poll() {
        try {
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    decoder.apply(record).ifPresent(sighting -> seenAt
                            .computeIfAbsent(sighting.phase(), p -> new ConcurrentHashMap<>())
                            .putIfAbsent(sighting.runId(), now));
                }
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() {
        stopped = true;
        consumer.wakeup();
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
