package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The platform's side of a fault suite: publishes secrets, launches and completions through the real serde,
 * without waiting for each acknowledgement (a broker failure must not pause the load), and keeps count of any send
 * that failed — so that a run missing at the end is the service's doing, not the producer's.
 */
final class EventPublisher implements AutoCloseable {

    private final ServiceTopics topics;
    private final EventSerdes serdes;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    EventPublisher(TestKafka kafka, ServiceTopics topics, EventSerdes serdes) {
        this.topics = topics;
        this.serdes = serdes;
        this.producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer());
    }

    void secret(SecretRecord secret) {
        send(topics.secrets(), new SecretKey(secret.getScope(), secret.getOwnerId(), secret.getName()).toString(),
                serdes.secrets().serializer().serialize(topics.secrets(), secret));
    }

    /** Completes when the broker acknowledged the launch (or the send failed). */
    CompletableFuture<Void> launch(WorkflowLaunched launch) {
        return send(topics.launched(), launch.getRunId(), serdes.launched().serializer().serialize(topics.launched(), launch));
    }

    void complete(WorkflowCompleted completion) {
        send(topics.completed(), completion.getRunId(),
                serdes.completed().serializer().serialize(topics.completed(), completion));
    }

    /** Waits until every record sent so far is acknowledged (or failed). */
    void flush() {
        producer.flush();
    }

    int failures() {
        return failures.get();
    }

    Exception firstFailure() {
        return firstFailure.get();
    }

    private CompletableFuture<Void> send(String topic, String key, byte[] value) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
            acknowledged.complete(null);
        });
        return acknowledged;
    }

    @Override
    public void close() {
        producer.close();
    }
}
