package io.pipelinesecrets.lifecycle.reconcile;

import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.service.KafkaClientSettings;
import io.pipelinesecrets.lifecycle.topology.AuditEvents;
import io.pipelinesecrets.serde.SpecificAvroSerializer;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes the reconciler's audit facts to the audit topic, keyed by run id like every audit event, one at a time
 * and acknowledged: a deletion the reconciler reports is one the audit topic has. Outside the Streams
 * transaction, so a crash between a deletion and its event loses the event; the deletion stays correct, and the
 * next pass finds nothing to report for it.
 */
public final class AuditTopicWriter implements java.util.function.Consumer<AuditFact>, AutoCloseable {

    private final KafkaProducer<String, AuditEvent> producer;
    private final String topic;
    private final Clock clock;

    /** @param clientSettings bootstrap.servers and any Kafka client settings (security); others are ignored */
    public AuditTopicWriter(Map<String, Object> clientSettings, String topic, SchemaRegistry registry,
                            boolean autoRegisterSchemas, Clock clock) {
        Map<String, Object> config = KafkaClientSettings.producer(clientSettings);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "pipeline-secrets-reconciler");
        this.producer = new KafkaProducer<>(config, new StringSerializer(),
                new SpecificAvroSerializer<>(registry, AuditEvent.class, autoRegisterSchemas));
        this.topic = topic;
        this.clock = clock;
    }

    @Override
    public void accept(AuditFact fact) {
        AuditEvent event = AuditEvents.toEvent(fact, clock.instant());
        try {
            producer.send(new ProducerRecord<>(topic, fact.runId(), event)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing audit event " + fact.eventId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write audit event " + fact.eventId() + " to " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
