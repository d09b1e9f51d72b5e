package io.pipelinesecrets.serde;

import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Avro's binary encoding read from one record's bytes, where no length or count prefix may claim more than the
 * bytes that remain.
 *
 * <p>Why not Avro's {@code BinaryDecoder}: it allocates a string, bytes or array from its length prefix before it
 * reads the content, so a ten-byte record that claims a two-billion-byte string makes it allocate two gigabytes
 * (and an array count of two billion, eight). A record can only hold what its bytes hold: every string, bytes and
 * fixed must fit in what remains, and every block of array or map items has at least one byte per item in every
 * schema of ours (no array of nulls or of empty records), so a count above the remaining bytes is refused before
 * anything is allocated. Allocation is thereby bounded by a small multiple of the record's size.
 *
 * <p>Everything else follows the Avro specification exactly as {@code BinaryDecoder} reads it (zig-zag varints of at
 * most 5 and 10 bytes, little-endian floats, a boolean true only for byte 1, negative block counts followed by a
 * block size), so every record Avro reads, this reads to the same values.
 */
final class BoundedBinaryDecoder extends Decoder {

    private final byte[] bytes;
    private final int limit;
    private int position;

    BoundedBinaryDecoder(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length + " outside "
                    + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
    }

    /** Whether every byte of the record was read. */
    boolean isEnd() {
        return position == limit;
    }

    @Override
    public void readNull() {
        // null takes no bytes
    }

    @Override
    public boolean readBoolean() throws IOException {
        return nextByte() == 1;
    }

    @Override
    public int readInt() throws IOException {
        int b = nextByte();
        int n = b & 0x7f;
        for (int shift = 7; (b & 0x80) != 0; shift += 7) {
            if (shift > 28) {
                throw new MalformedAvroException("an int is encoded in more than 5 bytes");
            }
            b = nextByte();
            n |= (b & 0x7f) << shift;
        }
        return (n >>> 1) ^ -(n & 1);
    }

    @Override
    public long readLong() throws IOException {
        int b = nextByte();
        long n = b & 0x7f;
        for (int shift = 7; (b & 0x80) != 0; shift += 7) {
            if (shift > 63) {
                throw new MalformedAvroException("a long is encoded in more than 10 bytes");
            }
            b = nextByte();
            n |= (long) (b & 0x7f) << shift;
        }
        return (n >>> 1) ^ -(n & 1);
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat((int) littleEndian(Float.BYTES));
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(littleEndian(Double.BYTES));
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(bytes, take(length), result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = length("string");
        return new String(bytes, take(length), length, StandardCharsets.UTF_8);
    }

    @Override
    public void skipString() throws IOException {
        take(length("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length("bytes");
        ByteBuffer result = old != null && old.capacity() >= length ? old : ByteBuffer.allocate(length);
        result.clear();
        result.put(bytes, take(length), length);
        result.flip();
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        take(length("bytes"));
    }

    @Override
    public void readFixed(byte[] target, int start, int length) throws IOException {
        System.arraycopy(bytes, take(length), target, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        take(length);
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return itemCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return itemCount();
    }

    @Override
    public long skipArray() throws IOException {
        return skipItems();
    }

    @Override
    public long readMapStart() throws IOException {
        return itemCount();
    }

    @Override
    public long mapNext() throws IOException {
        return itemCount();
    }

    @Override
    public long skipMap() throws IOException {
        return skipItems();
    }

    /** The next block's item count; a negative count is followed by the block's size in bytes, unused here. */
    private long itemCount() throws IOException {
        long count = readLong();
        if (count < 0) {
            readLong();
            count = -count;
        }
        return bounded(count, "array or map block count");
    }

    /** Skips every block that carries its size; returns the count of the first block that does not (0 at the end). */
    private long skipItems() throws IOException {
        long count = readLong();
        while (count < 0) {
            take(bounded(readLong(), "array or map block size"));
            count = readLong();
        }
        return bounded(count, "array or map block count");
    }

    private int length(String what) throws IOException {
        return bounded(readLong(), what + " length");
    }

    private int bounded(long claimed, String what) throws IOException {
        if (claimed < 0) {
            throw new MalformedAvroException(what + " is negative (" + claimed + ")");
        }
        if (claimed > limit - position) {
            throw new LengthExceedsRecordException(what + " " + claimed + " exceeds the " + (limit - position)
                    + " byte(s) left in the record");
        }
        return (int) claimed;
    }

    private int take(int length) throws IOException {
        if (length < 0 || length > limit - position) {
            throw new LengthExceedsRecordException("reading " + length + " byte(s) with " + (limit - position)
                    + " left in the record");
        }
        int start = position;
        position += length;
        return start;
    }

    private int nextByte() throws IOException {
        if (position >= limit) {
            throw new EOFException("the record ends in the middle of a value");
        }
        return bytes[position++] & 0xff;
    }

    private long littleEndian(int size) throws IOException {
        int start = take(size);
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[start + i] & 0xff);
        }
        return value;
    }

    /** A length or count prefix claims more than the record holds. Its message quotes numbers, never content. */
    static final class LengthExceedsRecordException extends IOException {
        LengthExceedsRecordException(String message) {
            super(message);
        }
    }

    /** Bytes that no Avro writer produces (an over-long varint, a negative length). */
    static final class MalformedAvroException extends IOException {
        MalformedAvroException(String message) {
            super(message);
        }
    }
}
