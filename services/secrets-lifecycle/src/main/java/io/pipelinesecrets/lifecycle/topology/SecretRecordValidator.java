package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.SecretRecordRules;
import io.pipelinesecrets.serde.UndecodableRecordException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads every record of the secrets topic once and rejects the ones no run may use: a malformed key, an
 * undecodable value, a value disagreeing with its key, an invalid name, an oversized value. A rejected record
 * goes to the dead-letter queue (original bytes) with a {@code SECRET_RECORD_REJECTED} audit event naming the
 * key and the problem, never the value. Valid records produce nothing: the global store serves them.
 */
final class SecretRecordValidator implements Processor<byte[], byte[], Object, Object> {

    static final String RECORD_TOO_LARGE = "RECORD_TOO_LARGE";

    private static final Logger LOG = LoggerFactory.getLogger(SecretRecordValidator.class);

    private final Deserializer<SecretRecord> records;
    private final Clock clock;
    private final LifecycleObserver observer;
    private final RecordLimits limits;
    private ProcessorContext<Object, Object> context;

    SecretRecordValidator(Deserializer<SecretRecord> records, Clock clock, LifecycleObserver observer,
                          RecordLimits limits) {
        this.records = records;
        this.limits = limits;
        this.clock = clock;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> source = context.recordMetadata();
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        SecretRecordRules.KeyCheck keyCheck = SecretRecordRules.parseKey(key);
        if (record.value() == null) {
            return; // a tombstone deletes; with a malformed key it deletes nothing and harms nothing
        }
        if (!keyCheck.valid()) {
            reject(record, source, null, "MALFORMED_KEY", "InvalidKey", keyCheck.problem());
            return;
        }
        if (record.value().length > SecretRecordRules.MAX_RECORD_BYTES) {
            reject(record, source, keyCheck.key(), RECORD_TOO_LARGE, "InvalidSecretRecord", "key " + SafeText.quoted(key) + ": "
                    + record.value().length + " bytes, over the " + SecretRecordRules.MAX_RECORD_BYTES
                    + " bytes of the largest legal secret record; not decoded");
            return;
        }
        try {
            SecretRecord decoded = RecordDecoding.decode(records, source.map(RecordMetadata::topic).orElse(""),
                    record.headers(), record.value());
            SecretRecordRules.problem(keyCheck.key(), decoded).ifPresent(problem ->
                    reject(record, source, keyCheck.key(), "INVALID_SECRET_RECORD", "InvalidSecretRecord",
                            "key " + SafeText.quoted(key) + ": " + problem));
        } catch (UndecodableRecordException e) {
            UndecodableRecordException located = source.map(m -> e.at(m.partition(), m.offset())).orElse(e);
            reject(record, source, keyCheck.key(), e.reason().name(), e.getClass().getName(), located.getMessage());
        }
    }

    private void reject(Record<byte[], byte[]> record, Optional<RecordMetadata> source, SecretKey key, String code,
                        String errorClass, String message) {
        DeadLetters.Rejection rejection = new DeadLetters.Rejection(code, errorClass, message);
        context.forward(DeadLetters.of(record, rejection, source, limits.deadLetterBytes()), LifecycleTopology.DLQ_SINK);
        AuditFact.Builder fact = AuditFact.of(AuditAction.SECRET_RECORD_REJECTED, AuditOutcome.FAILURE)
                .error(code, message).cause(DeadLetters.position(source));
        if (key != null) {
            boolean user = key.scope() == SecretScope.USER;
            fact.owners(user ? null : key.ownerId(), user ? key.ownerId() : null, null).secretName(key.name())
                    .scope(user ? Scope.USER : Scope.WORKSPACE);
        }
        Instant now = clock.instant();
        AuditFact audited = fact.build();
        context.forward(new Record<Object, Object>(null, AuditEvents.toEvent(audited, now), now.toEpochMilli()),
                LifecycleTopology.AUDIT_SINK);
        observer.deadLettered(source.map(RecordMetadata::topic).orElse("unknown"), code);
        observer.audited(audited);
        LOG.warn("rejected secret record {}: {} {}", DeadLetters.position(source), code, message);
    }
}
