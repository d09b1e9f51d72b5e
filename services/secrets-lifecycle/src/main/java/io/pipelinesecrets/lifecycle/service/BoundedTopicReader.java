package io.pipelinesecrets.lifecycle.service;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads every partition of a topic from its beginning to the end offsets it had when the read began, without a
 * consumer group (nothing is committed, no group is left behind). Only committed records are seen
 * ({@code read_committed}): the service writes under exactly-once, and an aborted write never happened. Records
 * written after the read began are not part of it, so the read ends even while producers go on.
 */
public final class BoundedTopicReader {

    private static final Duration POLL = Duration.ofMillis(200);

    private BoundedTopicReader() {
    }

    /**
     * @param clientSettings bootstrap servers and any client settings (security ...); others are ignored
     * @param each           called for every record, partition by partition in offset order
     * @return the topic's partition count
     * @throws TopicReadException if the topic does not exist or the read did not finish within the timeout
     */
    public static int read(Map<String, Object> clientSettings, String topic, Duration timeout,
                           Consumer<ConsumerRecord<byte[], byte[]>> each) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings(clientSettings),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, remaining(deadline));
            if (partitions == null || partitions.isEmpty()) {
                throw new TopicReadException("topic " + topic + " does not exist");
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, remaining(deadline));
            Set<TopicPartition> pending = new HashSet<>(assigned);
            long read = 0;
            while (true) {
                Set<TopicPartition> done = new HashSet<>();
                for (TopicPartition partition : pending) {
                    if (consumer.position(partition, remaining(deadline)) >= ends.get(partition)) {
                        done.add(partition);
                    }
                }
                pending.removeAll(done);
                consumer.pause(done);
                if (pending.isEmpty()) {
                    return assigned.size();
                }
                if (System.nanoTime() > deadline) {
                    throw new TopicReadException("reading " + topic + " to its end took longer than " + timeout
                            + " (" + read + " records read; partitions not finished: " + pending + ")");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ends.get(partition)) {
                        read++;
                        each.accept(record);
                    }
                }
            }
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new TopicReadException("interrupted while reading " + topic, e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new TopicReadException("Kafka did not answer within " + timeout + " while reading " + topic
                    + " (is it reachable with these settings?): " + e.getMessage(), e);
        } catch (KafkaException e) {
            throw new TopicReadException("cannot read " + topic + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> consumerSettings(Map<String, Object> clientSettings) {
        Map<String, Object> settings = new HashMap<>(KafkaClientSettings.consumer(clientSettings));
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Asking for a missing topic's metadata must not create it on a broker that auto-creates topics.
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        settings.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "pipeline-secrets-cli");
        return settings;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
