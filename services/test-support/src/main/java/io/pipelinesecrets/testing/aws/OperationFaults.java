package io.pipelinesecrets.testing.aws;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults injected into one operation. Every method returns {@code this}, so a test can say
 * {@code faults().on("CreateSecret").latency(Duration.ofMillis(50)).throttle(2)}. Per request they apply in this
 * order: latency, the global quota, access denied, this operation's quota, scripted throttles, scripted server
 * errors; the first that fires answers the request.
 */
public final class OperationFaults {

    private final String operation;
    private final AtomicInteger throttlesLeft = new AtomicInteger();
    private final AtomicInteger serverErrorsLeft = new AtomicInteger();
    private volatile Duration latency = Duration.ZERO;
    private volatile boolean accessDenied;
    private volatile TokenBucket quota;

    OperationFaults(String operation) {
        this.operation = operation;
    }

    /** The next {@code count} requests get {@code ThrottlingException} (400), which the SDK retries. */
    public OperationFaults throttle(int count) {
        throttlesLeft.addAndGet(requirePositive(count));
        return this;
    }

    /** The next {@code count} requests get {@code InternalServiceError} (500), which the SDK retries. */
    public OperationFaults serverError(int count) {
        serverErrorsLeft.addAndGet(requirePositive(count));
        return this;
    }

    /** Every request waits this long before it is answered (zero turns it off). */
    public OperationFaults latency(Duration delay) {
        if (Objects.requireNonNull(delay, "delay").isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + delay);
        }
        latency = delay;
        return this;
    }

    /** Every request gets {@code AccessDeniedException} (400, not retried) until {@link #clear()}. */
    public OperationFaults accessDenied() {
        accessDenied = true;
        return this;
    }

    /** At most this many requests per second (token bucket); the rest get {@code ThrottlingException}. 0 lifts it. */
    public OperationFaults quotaPerSecond(double perSecond) {
        quota = perSecond == 0 ? null : new TokenBucket(perSecond);
        return this;
    }

    /** Removes every fault of this operation. */
    public OperationFaults clear() {
        throttlesLeft.set(0);
        serverErrorsLeft.set(0);
        latency = Duration.ZERO;
        accessDenied = false;
        quota = null;
        return this;
    }

    Duration latency() {
        return latency;
    }

    /** Throws the fault this request meets after its latency, if any. */
    void failIfFaulted() {
        if (accessDenied) {
            throw ServiceError.accessDenied(operation);
        }
        TokenBucket bucket = quota;
        if (bucket != null && !bucket.tryAcquire()) {
            throw ServiceError.throttling();
        }
        if (takeOne(throttlesLeft)) {
            throw ServiceError.throttling();
        }
        if (takeOne(serverErrorsLeft)) {
            throw ServiceError.internal("Injected internal service error for " + operation);
        }
    }

    private static boolean takeOne(AtomicInteger counter) {
        return counter.getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0;
    }

    private static int requirePositive(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be > 0, was " + count);
        }
        return count;
    }
}
