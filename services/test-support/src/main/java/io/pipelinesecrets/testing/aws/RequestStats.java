package io.pipelinesecrets.testing.aws;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the double has seen, for tests to assert on: requests per operation (every attempt, SDK retries included),
 * throttled answers, and a log of every CreateSecret and DeleteSecret call with its outcome.
 */
public final class RequestStats {

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> throttled = new ConcurrentHashMap<>();
    private final List<SecretCall> calls = new CopyOnWriteArrayList<>();

    /** Requests that named {@code operation}, whatever their answer. */
    public long requests(String operation) {
        return count(requests, operation);
    }

    /** All requests, whatever their operation or answer. */
    public long totalRequests() {
        return sum(requests);
    }

    /** Requests answered with {@code ThrottlingException} (quota or injected), over all operations. */
    public long throttled() {
        return sum(throttled);
    }

    public long throttled(String operation) {
        return count(throttled, operation);
    }

    /** Every CreateSecret and DeleteSecret call in arrival order (a copy). */
    public List<SecretCall> calls() {
        return List.copyOf(calls);
    }

    /**
     * CreateSecret calls refused with {@code ResourceExistsException}: a second create of a live name with another
     * token or another value. A client that creates idempotently produces none.
     */
    public List<SecretCall> conflictingCreates() {
        return calls.stream()
                .filter(c -> c.operation().equals(Operations.CREATE_SECRET))
                .filter(c -> "ResourceExistsException".equals(c.errorCode()))
                .toList();
    }

    /** Forgets everything seen so far. */
    public void reset() {
        requests.clear();
        throttled.clear();
        calls.clear();
    }

    void recordRequest(String operation) {
        requests.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }

    void recordThrottled(String operation) {
        throttled.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }

    void recordCall(SecretCall call) {
        calls.add(call);
    }

    private static long count(Map<String, LongAdder> counters, String operation) {
        LongAdder counter = counters.get(operation);
        return counter == null ? 0 : counter.sum();
    }

    private static long sum(Map<String, LongAdder> counters) {
        return counters.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
