package io.pipelinesecrets.lifecycle.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Headers of a dead-letter record: why it was rejected and where it came from, so replay tooling can re-drive it
 * after a fix. The original key and value bytes travel unchanged; the headers never contain a value (error
 * messages are the service's own and never quote record content).
 */
public final class DeadLetters {

    public static final String ERROR_CODE = "dlq.error.code";
    public static final String ERROR_CLASS = "dlq.error.class";
    public static final String ERROR_MESSAGE = "dlq.error.message";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    private DeadLetters() {
    }

    static Headers headers(Headers original, Rejection rejection, Optional<RecordMetadata> source) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        put(headers, ERROR_CODE, rejection.code());
        put(headers, ERROR_CLASS, rejection.errorClass());
        put(headers, ERROR_MESSAGE, rejection.message());
        source.ifPresent(position -> {
            put(headers, SOURCE_TOPIC, position.topic());
            put(headers, SOURCE_PARTITION, Integer.toString(position.partition()));
            put(headers, SOURCE_OFFSET, Long.toString(position.offset()));
        });
        return headers;
    }

    /** "topic-partition@offset": the identity of a rejected record, used as its audit causation. */
    static String position(Optional<RecordMetadata> source) {
        return source.map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown-position");
    }

    private static void put(RecordHeaders headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Why a record was rejected: a stable code, the class of the failure, and a message without content. */
    record Rejection(String code, String errorClass, String message) {
    }
}
