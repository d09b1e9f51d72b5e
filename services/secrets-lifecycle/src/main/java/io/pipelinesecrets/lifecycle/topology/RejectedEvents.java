package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.RunIds;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Optional;

/**
 * Rejects a workflow record: its dead letter (original bytes) and the {@code EVENT_REJECTED} audit event saying
 * why, forwarded from the processor that found the problem, so both commit in the transaction that consumes the
 * record. Shared by the decoders (undecodable or invalid events) and the lifecycle processor (events a run refuses).
 */
final class RejectedEvents {

    private static final Logger LOG = LoggerFactory.getLogger(RejectedEvents.class);

    private final LifecycleTopology.Settings settings;

    RejectedEvents(LifecycleTopology.Settings settings) {
        this.settings = settings;
    }

    /**
     * @param key     the record's key as text ("" when it has none)
     * @param eventId the event's id when it decoded far enough to have one, else null (the audit event's cause is
     *                then the record's position)
     */
    void reject(ProcessorContext<Object, Object> context, Record<byte[], byte[]> record, String key,
                DeadLetters.Rejection rejection, String eventId) {
        // The source record's position: a child of the source processor sees the record it is handling.
        Optional<RecordMetadata> source = context.recordMetadata();
        context.forward(DeadLetters.of(record, rejection, source, settings.limits().deadLetterBytes()),
                LifecycleTopology.DLQ_SINK);
        // The key names the run only when it is one: a 600 KB key must not become the audit event's run id.
        String runId = RunIds.isValid(key) ? key : null;
        AuditFact fact = AuditFact.of(AuditAction.EVENT_REJECTED, AuditOutcome.FAILURE).run(runId)
                .error(rejection.code(), rejection.message())
                .cause(eventId != null ? eventId : DeadLetters.position(source))
                .reason(source.map(RecordMetadata::topic).orElse(null)).build();
        Instant now = settings.clock().instant();
        context.forward(new Record<>(runId, AuditEvents.toEvent(fact, now), now.toEpochMilli()), LifecycleTopology.AUDIT_SINK);
        settings.observer().deadLettered(source.map(RecordMetadata::topic).orElse("unknown"), rejection.code());
        settings.observer().audited(fact);
        LOG.warn("rejected record {} of {}: {} {}", DeadLetters.position(source), source.map(RecordMetadata::topic)
                .orElse("?"), rejection.code(), rejection.message());
    }
}
