package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.testing.await.Await;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads the audit topic (committed records only, from the beginning) on a thread of its own for the whole suite
 * and notes when each event became visible, so that a suite can tell when the service made progress again after
 * a fault, without a consumer group of its own that a broker failure could disturb.
 */
final class AuditObserver implements AutoCloseable {

    /** An audit event and the wall-clock time (ms) the observer first saw it committed. */
    record Observed(long observedAt, AuditEvent event) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventSerdes serdes;
    private final String topic;
    private final List<Observed> seen = new ArrayList<>();
    private final List<TopicPartition> partitions;
    /** Where the reader stands on each partition, set after the records before it were added to {@link #seen}. */
    private volatile Map<TopicPartition, Long> positions = Map.of();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    AuditObserver(String bootstrapServers, String topic, EventSerdes serdes) {
        this.topic = topic;
        this.serdes = serdes;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "audit-observer",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.reader = new Thread(this::read, "audit-observer");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    AuditEvent event = serdes.audit().deserializer().deserialize(topic, record.value());
                    long now = System.currentTimeMillis();
                    synchronized (seen) {
                        seen.add(new Observed(now, event));
                    }
                }
                // A read_committed consumer stops at the last stable offset, past aborted records and markers.
                Map<TopicPartition, Long> reached = new HashMap<>();
                for (TopicPartition partition : partitions) {
                    reached.put(partition, consumer.position(partition));
                }
                positions = Map.copyOf(reached);
            }
        } catch (RuntimeException e) {
            if (running) {
                failure = e;
            }
        } finally {
            consumer.close();
        }
    }

    String topic() {
        return topic;
    }

    /** The next offset the observer reads on each partition of the audit topic: its lag is the end minus this. */
    Map<TopicPartition, Long> positions() {
        if (failure != null) {
            throw new IllegalStateException("the audit observer failed", failure);
        }
        return positions;
    }

    List<Observed> observed() {
        if (failure != null) {
            throw new IllegalStateException("the audit observer failed", failure);
        }
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    List<AuditEvent> events() {
        return observed().stream().map(Observed::event).toList();
    }

    /**
     * The first event the service wrote after {@code sinceMillis} (by its occurredAt), i.e. the first progress
     * after a fault that began then; empty if none yet.
     */
    Optional<Observed> firstWrittenAfter(long sinceMillis) {
        return observed().stream().filter(o -> o.event().getOccurredAt().toEpochMilli() > sinceMillis).findFirst();
    }

    /** Waits until the events seen so far, de-duplicated by id, satisfy {@code done}. */
    void await(String expectation, Predicate<Map<String, AuditEvent>> done, Duration timeout) {
        Await.atMost(timeout).every(Duration.ofMillis(100)).until(expectation + " on " + topic, this::deduplicated, done,
                events -> events.size() + " distinct audit events");
    }

    /**
     * Waits until every launched run reached its end state: released when its completion was sent, provisioned
     * otherwise. The runs' completions must all have been sent.
     */
    void awaitConverged(List<LoadPlan.Run> runs, Predicate<String> completionSent, Duration timeout) {
        try {
            await(runs.size() + " runs provisioned or released",
                    events -> unconverged(runs, completionSent, events).isEmpty(), timeout);
        } catch (AssertionError e) {
            List<String> behind = unconverged(runs, completionSent, deduplicated());
            throw new AssertionError(e.getMessage() + "; " + behind.size() + " runs not there yet, e.g. "
                    + behind.subList(0, Math.min(20, behind.size())), e);
        }
    }

    private static List<String> unconverged(List<LoadPlan.Run> runs, Predicate<String> completionSent,
                                            Map<String, AuditEvent> events) {
        Set<String> provisioned = new HashSet<>();
        Set<String> released = new HashSet<>();
        for (AuditEvent event : events.values()) {
            if (event.getAction() == AuditAction.SECRETS_PROVISIONED) {
                provisioned.add(event.getRunId());
            } else if (event.getAction() == AuditAction.SECRETS_RELEASED || event.getAction() == AuditAction.LAUNCH_SKIPPED) {
                // A run whose completion came first is released at once; done once its launch was skipped.
                released.add(event.getRunId());
            }
        }
        return runs.stream().filter(run -> !(completionSent.test(run.runId())
                ? released.contains(run.runId()) : provisioned.contains(run.runId()))).map(LoadPlan.Run::runId).toList();
    }

    Map<String, AuditEvent> deduplicated() {
        Map<String, AuditEvent> byId = new HashMap<>();
        for (Observed o : observed()) {
            byId.putIfAbsent(o.event().getEventId(), o.event());
        }
        return byId;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
