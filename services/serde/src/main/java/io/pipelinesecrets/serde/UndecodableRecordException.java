package io.pipelinesecrets.serde;

import java.util.Optional;

/**
 * The record itself cannot be decoded: whatever retries or restarts happen, it never will be. Such a record
 * belongs in the dead-letter queue. The message names the topic, and the partition and offset when known (a
 * deserializer does not know them; the layer that does adds them with {@link #at}).
 */
public final class UndecodableRecordException extends SerdeException {

    /** Why the record cannot be decoded; stable names for DLQ headers and metrics. */
    public enum Reason {
        TOO_SHORT("shorter than the 5-byte Confluent header"),
        UNKNOWN_MAGIC_BYTE("first byte is not the Confluent magic byte 0"),
        UNKNOWN_SCHEMA_ID("schema id is not known to the schema registry"),
        INCOMPATIBLE_SCHEMA("written with a schema this reader cannot read (wrong type or missing required field)"),
        MALFORMED_AVRO("bytes are not valid Avro for the writer's schema"),
        LENGTH_EXCEEDS_RECORD("a length or count prefix claims more bytes than the record holds"),
        DECODER_FAILURE("the decoder failed unexpectedly on these bytes"),
        TRAILING_BYTES("bytes remain after the record");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final Reason reason;
    private final String topic;
    private final Integer schemaId;
    private final Integer partition;
    private final Long offset;
    private final String detail;

    public UndecodableRecordException(Reason reason, String topic, Integer schemaId, String detail, Throwable cause) {
        this(reason, topic, schemaId, null, null, detail, cause);
    }

    private UndecodableRecordException(Reason reason, String topic, Integer schemaId, Integer partition, Long offset,
                                       String detail, Throwable cause) {
        super(message(reason, topic, schemaId, partition, offset, detail), cause);
        this.reason = reason;
        this.topic = topic;
        this.schemaId = schemaId;
        this.partition = partition;
        this.offset = offset;
        this.detail = detail;
    }

    /** The same failure, located at a partition and offset. */
    public UndecodableRecordException at(int partition, long offset) {
        UndecodableRecordException located =
                new UndecodableRecordException(reason, topic, schemaId, partition, offset, detail, getCause());
        located.setStackTrace(getStackTrace());
        return located;
    }

    public Reason reason() {
        return reason;
    }

    public String topic() {
        return topic;
    }

    public Optional<Integer> schemaId() {
        return Optional.ofNullable(schemaId);
    }

    public Optional<Integer> partition() {
        return Optional.ofNullable(partition);
    }

    public Optional<Long> offset() {
        return Optional.ofNullable(offset);
    }

    private static String message(Reason reason, String topic, Integer schemaId, Integer partition, Long offset,
                                  String detail) {
        StringBuilder text = new StringBuilder("cannot decode record of topic ").append(topic);
        if (partition != null) {
            text.append(" partition ").append(partition);
        }
        if (offset != null) {
            text.append(" offset ").append(offset);
        }
        if (schemaId != null) {
            text.append(" (schema id ").append(schemaId).append(')');
        }
        text.append(": ").append(reason).append(", ").append(reason.description());
        if (detail != null && !detail.isBlank()) {
            text.append(" (").append(detail).append(')');
        }
        return text.toString();
    }
}
