package io.pipelinesecrets.testing.aws;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fault injection for a {@link SecretsManagerDouble}: per operation ({@link #on(String)}) and a global request
 * quota. Faults are checked before a request reaches the secrets, so a faulted request changes nothing.
 */
public final class Faults {

    private final Map<String, OperationFaults> byOperation = new ConcurrentHashMap<>();
    private volatile TokenBucket globalQuota;

    Faults(double globalQuotaPerSecond) {
        quotaPerSecond(globalQuotaPerSecond);
    }

    /** The faults of one operation, by wire name such as {@code "CreateSecret"} (see {@link Operations}). */
    public OperationFaults on(String operation) {
        return byOperation.computeIfAbsent(Operations.requireKnown(operation), OperationFaults::new);
    }

    /** A quota over all operations together, like an account-wide limit; 0 lifts it. */
    public Faults quotaPerSecond(double perSecond) {
        if (perSecond < 0 || Double.isNaN(perSecond)) {
            throw new IllegalArgumentException("quota must be >= 0 (0 = unlimited), was " + perSecond);
        }
        globalQuota = perSecond == 0 ? null : new TokenBucket(perSecond);
        return this;
    }

    /** Removes every fault and quota, global and per operation. */
    public Faults clear() {
        byOperation.values().forEach(OperationFaults::clear);
        globalQuota = null;
        return this;
    }

    /**
     * Applies the faults configured for {@code operation}: sleeps for its latency, then throws the
     * {@link ServiceError} the request meets, if any.
     */
    void apply(String operation) throws InterruptedException {
        OperationFaults faults = byOperation.get(operation);
        if (faults != null) {
            Duration latency = faults.latency();
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis(), latency.toNanosPart() % 1_000_000);
            }
        }
        TokenBucket quota = globalQuota;
        if (quota != null && !quota.tryAcquire()) {
            throw ServiceError.throttling();
        }
        if (faults != null) {
            faults.failIfFaulted();
        }
    }
}
