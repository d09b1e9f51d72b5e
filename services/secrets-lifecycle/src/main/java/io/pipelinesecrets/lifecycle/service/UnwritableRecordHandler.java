package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import io.pipelinesecrets.lifecycle.topology.RecordLimits;
import io.pipelinesecrets.serde.SchemaResolutionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last net under every record the service writes (audit events, dead letters): a record the cluster refuses for
 * good (too large for its topic, say) is replaced by a small dead letter saying what could not be written and which
 * input caused it, and processing goes on. Without it Kafka Streams fails the stream thread, the thread is replaced,
 * reads the same input and fails again: one record would stop every partition of the thread.
 *
 * <p>The service keeps what it writes under the topics' limits ({@link DeadLetters}), so this is for what it cannot
 * foresee: a topic's {@code max.message.bytes} lowered while it runs, a serializer bug. A registry that cannot answer
 * is different: the serializer will work once it answers, so that fails the thread and the input is tried again.
 * Transient send errors are retried.
 *
 * <p>Under exactly-once a refused record fails the transaction it belongs to, replacement included: the thread is
 * replaced and the input processed again. What saves the service then is that a refused dead letter lowers the limit
 * ({@link RecordLimits}), so the dead letter made the second time fits. The replacement written here is what an
 * at-least-once deployment keeps.
 */
public final class UnwritableRecordHandler implements ProductionExceptionHandler {

    /** Where the replacement dead letters go; set by {@link LifecycleService} from {@code topics.dlq}. */
    public static final String DEAD_LETTER_TOPIC_CONFIG = "pipeline-secrets.dead-letter-topic";
    /** The {@link RecordLimits} the topology's dead letters keep under; set by {@link LifecycleService}. */
    public static final String RECORD_LIMITS_CONFIG = "pipeline-secrets.record-limits";
    /** The code of the replacement dead letter. */
    public static final String NOT_WRITTEN = "RECORD_NOT_WRITTEN";

    private static final Logger LOG = LoggerFactory.getLogger(UnwritableRecordHandler.class);

    private String deadLetterTopic;
    private RecordLimits limits;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetterTopic = Objects.requireNonNull(configs.get(DEAD_LETTER_TOPIC_CONFIG),
                DEAD_LETTER_TOPIC_CONFIG + " is not set").toString();
        limits = (RecordLimits) Objects.requireNonNull(configs.get(RECORD_LIMITS_CONFIG), RECORD_LIMITS_CONFIG + " is not set");
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        if (exception instanceof RecordTooLargeException && record.topic().equals(deadLetterTopic)) {
            // Under exactly-once the transaction fails with this record and its input is processed again: the
            // dead letter made then must be smaller, or it is refused again.
            limits.refused(size(record) + DeadLetters.headerBytes(record.headers()));
        }
        if (isReplacement(record)) {
            // A replacement that itself cannot be written is not replaced again; the log line above it says why.
            LOG.error("the dead letter replacing an unwritable record could not be written either: {}",
                    exception.getClass().getSimpleName());
            return Response.resume();
        }
        return replaced(context, record.topic(), size(record), exception);
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (exception instanceof SchemaResolutionException) {
            return Response.fail();
        }
        return replaced(context, record.topic(), -1, exception);
    }

    private Response replaced(ErrorHandlerContext context, String topic, int bytes, Exception exception) {
        String what = "a record for " + topic + (bytes < 0 ? "" : " (" + bytes + " bytes)") + " could not be written: "
                + exception.getClass().getSimpleName();
        LOG.error("{}; caused by {}-{}@{}; replaced by a dead letter, processing goes on", what, context.topic(),
                context.partition(), context.offset());
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetters.ERROR_CODE, bytes(NOT_WRITTEN));
        headers.add(DeadLetters.ERROR_CLASS, bytes(exception.getClass().getName()));
        headers.add(DeadLetters.ERROR_MESSAGE, bytes(what));
        if (context.topic() != null) {
            headers.add(DeadLetters.SOURCE_TOPIC, bytes(context.topic()));
            headers.add(DeadLetters.SOURCE_PARTITION, bytes(Integer.toString(context.partition())));
            headers.add(DeadLetters.SOURCE_OFFSET, bytes(Long.toString(context.offset())));
        }
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, null, null, null, headers)));
    }

    private boolean isReplacement(ProducerRecord<byte[], byte[]> record) {
        var code = record.headers().lastHeader(DeadLetters.ERROR_CODE);
        return record.topic().equals(deadLetterTopic) && code != null
                && NOT_WRITTEN.equals(new String(code.value(), StandardCharsets.UTF_8));
    }

    private static int size(ProducerRecord<byte[], byte[]> record) {
        return (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
