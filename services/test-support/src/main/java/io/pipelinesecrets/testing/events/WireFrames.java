package io.pipelinesecrets.testing.events;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Records in the Confluent wire format written with any schema, for tests that need what the service's own
 * serializer never produces: an older version of a schema, or a schema missing required fields.
 */
public final class WireFrames {

    private WireFrames() {
    }

    /**
     * A record that claims, after {@code before} (the encoding of the fields that come first), a string, bytes or
     * array of {@code claimed} bytes or items it does not hold: the ten bytes {@code 00 <id> 80 d0 ac f3 0e} claim a
     * 2,000,000,000-byte string when the record's first field is one.
     */
    public static byte[] claiming(int schemaId, long claimed, byte... before) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array());
        out.writeBytes(before);
        out.writeBytes(varint(claimed));
        return out.toByteArray();
    }

    /** Avro's zig-zag variable-length encoding of a long. */
    public static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7fL) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    public static byte[] framed(int schemaId, Schema schema, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
