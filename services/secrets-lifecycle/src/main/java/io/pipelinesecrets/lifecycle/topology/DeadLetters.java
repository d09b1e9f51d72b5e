package io.pipelinesecrets.lifecycle.topology;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The dead letter of a rejected record: its original key, value and headers, plus headers saying why it was
 * rejected and where it came from, so replay tooling can re-drive it after a fix. The headers never contain a
 * value (error messages are the service's own and never quote record content).
 *
 * <p>A dead letter always fits the dead-letter topic. A record written near its topic's size limit, or one with a
 * huge key or headers, would otherwise fail the send once the service's headers are added; the stream thread would
 * then die and read the same record again, for ever. So each header of ours is bounded, and a dead letter that would
 * still weigh more than the limit sheds the original's value, then its headers, then its key, each time saying
 * what was cut and how large it was ({@link #VALUE_OMITTED}, {@link #HEADERS_OMITTED}, {@link #KEY_OMITTED}).
 * Nothing is lost: the source topic, partition and offset name where the original still is.
 */
public final class DeadLetters {

    public static final String ERROR_CODE = "dlq.error.code";
    public static final String ERROR_CLASS = "dlq.error.class";
    public static final String ERROR_MESSAGE = "dlq.error.message";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    /** Present when the original value was too large to copy: its size in bytes. */
    public static final String VALUE_OMITTED = "dlq.value.omitted";
    /** Present when the original headers were too large to copy: how many there were. */
    public static final String HEADERS_OMITTED = "dlq.headers.omitted";
    /** Present when the original key was too large to copy: its size in bytes. */
    public static final String KEY_OMITTED = "dlq.key.omitted";

    /** Characters of a header value of ours; an error message is a sentence, not a document. */
    static final int MAX_HEADER_CHARS = 1_024;
    /** What a record costs beyond its key, value and header bytes (lengths, attributes, a batch of one). */
    static final int RECORD_OVERHEAD_BYTES = 128;
    /** Room for the omission headers a dead letter may gain on the way. */
    private static final int OMISSION_HEADERS_BYTES = 96;

    private DeadLetters() {
    }

    /**
     * The dead letter of {@code original}, no heavier than {@code maxBytes} (key, value and headers).
     *
     * @param maxBytes what one record may weigh on the dead-letter topic ({@link RecordLimits})
     */
    static Record<Object, Object> of(Record<byte[], byte[]> original, Rejection rejection,
                                     Optional<RecordMetadata> source, int maxBytes) {
        RecordHeaders ours = new RecordHeaders();
        put(ours, ERROR_CODE, rejection.code());
        put(ours, ERROR_CLASS, rejection.errorClass());
        put(ours, ERROR_MESSAGE, rejection.message());
        source.ifPresent(position -> {
            put(ours, SOURCE_TOPIC, position.topic());
            put(ours, SOURCE_PARTITION, Integer.toString(position.partition()));
            put(ours, SOURCE_OFFSET, Long.toString(position.offset()));
        });
        byte[] key = original.key();
        byte[] value = original.value();
        Headers kept = original.headers();
        int budget = maxBytes - RECORD_OVERHEAD_BYTES - OMISSION_HEADERS_BYTES - sizeOf(ours);
        if (length(key) + length(value) + sizeOf(kept) > budget && value != null) {
            put(ours, VALUE_OMITTED, Integer.toString(value.length));
            value = null;
        }
        if (length(key) + sizeOf(kept) > budget) {
            put(ours, HEADERS_OMITTED, Integer.toString(kept.toArray().length));
            kept = new RecordHeaders();
        }
        if (length(key) > budget) {
            put(ours, KEY_OMITTED, Integer.toString(key.length));
            key = null;
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header header : kept) {
            if (ours.lastHeader(header.key()) == null) {
                headers.add(header);
            }
        }
        ours.forEach(headers::add);
        return new Record<>(key, value, original.timestamp(), headers);
    }

    /** "topic-partition@offset": the identity of a rejected record, used as its audit causation. */
    static String position(Optional<RecordMetadata> source) {
        return source.map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown-position");
    }

    private static void put(RecordHeaders headers, String key, String value) {
        String bounded = value.length() <= MAX_HEADER_CHARS ? value : value.substring(0, MAX_HEADER_CHARS) + "...";
        headers.remove(key);
        headers.add(key, bounded.getBytes(StandardCharsets.UTF_8));
    }

    /** What headers weigh in a record, near enough for a budget. */
    public static int headerBytes(Headers headers) {
        return sizeOf(headers);
    }

    private static int sizeOf(Headers headers) {
        int size = 0;
        for (Header header : headers) {
            size += header.key().getBytes(StandardCharsets.UTF_8).length + length(header.value()) + 2;
        }
        return size;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    /** Why a record was rejected: a stable code, the class of the failure, and a message without content. */
    record Rejection(String code, String errorClass, String message) {
    }
}
