package io.pipelinesecrets.lifecycle.topology;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one record of the dead-letter topic may weigh: learnt from the topics at start, and lowered when the cluster
 * refuses a dead letter anyway (the topic's {@code max.message.bytes} lowered while the service runs).
 *
 * <p>Under exactly-once a refused record fails its whole transaction, so the input that caused it is processed again
 * by a new stream thread; without a lower limit the same dead letter would be refused again, for ever. Halving the
 * limit at each refusal makes the next attempt shed the original's value (and, if need be, its headers and key), down
 * to a dead letter of headers only, which any topic the service starts with accepts.
 */
public final class RecordLimits {

    /** The smallest limit: a dead letter of our headers alone fits (start-up requires 8 KiB of every topic). */
    static final int FLOOR_BYTES = 4_096;

    private final AtomicInteger deadLetterBytes;

    public RecordLimits(int deadLetterBytes) {
        if (deadLetterBytes < FLOOR_BYTES) {
            throw new IllegalArgumentException("the dead-letter topic must take records of at least " + FLOOR_BYTES
                    + " bytes, not " + deadLetterBytes);
        }
        this.deadLetterBytes = new AtomicInteger(deadLetterBytes);
    }

    public int deadLetterBytes() {
        return deadLetterBytes.get();
    }

    /** The cluster refused a dead letter of {@code bytes}: the next ones stay under half of it. */
    public void refused(int bytes) {
        deadLetterBytes.accumulateAndGet(Math.max(FLOOR_BYTES, bytes / 2), Math::min);
    }
}
