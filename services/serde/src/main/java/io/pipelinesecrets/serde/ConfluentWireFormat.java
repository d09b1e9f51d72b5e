package io.pipelinesecrets.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent Schema Registry framing: magic byte {@code 0}, the schema id as a 4-byte big-endian int, then the
 * Avro binary encoding. Subjects follow TopicNameStrategy: {@code <topic>-value} and {@code <topic>-key}.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 1 + Integer.BYTES;

    private ConfluentWireFormat() {
    }

    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    static void writeHeader(ByteBuffer target, int schemaId) {
        target.put(MAGIC_BYTE).putInt(schemaId);
    }

    static int schemaId(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, Integer.BYTES).getInt();
    }
}
