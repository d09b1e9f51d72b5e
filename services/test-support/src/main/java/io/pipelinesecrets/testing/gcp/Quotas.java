package io.pipelinesecrets.testing.gcp;

import io.grpc.Status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Secret Manager's request quotas per project, as Google enforces them: writes (create, add version, delete) and reads
 * (get, list) each limited over a sliding minute, answered {@code RESOURCE_EXHAUSTED} beyond it; access calls
 * unlimited here (Google allows 90,000 a minute). Off until a test sets a limit, so tests that are not about quotas
 * never meet one. A refused call does not count.
 */
public final class Quotas {

    static final Set<String> WRITES = Set.of("CreateSecret", "AddSecretVersion", "DeleteSecret");
    static final Set<String> READS = Set.of("GetSecret", "ListSecrets");

    private final Clock clock;
    private final Map<String, Deque<Instant>> windows = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private volatile int writesPerWindow;
    private volatile int readsPerWindow;
    private volatile Duration window = Duration.ofMinutes(1);

    Quotas(Clock clock) {
        this.clock = clock;
    }

    /** Google's documented quota: 600 writes and 600 reads a minute per project. */
    public Quotas documented() {
        return limit(600, 600, Duration.ofMinutes(1));
    }

    /** At most {@code writes} and {@code reads} calls per project in any {@code window}; 0 = unlimited. */
    public Quotas limit(int writes, int reads, Duration newWindow) {
        this.writesPerWindow = writes;
        this.readsPerWindow = reads;
        this.window = newWindow;
        windows.clear();
        return this;
    }

    public Quotas off() {
        return limit(0, 0, Duration.ofMinutes(1));
    }

    /** How many calls were refused for quota since the double started. */
    public long refused() {
        return refused.get();
    }

    Optional<Status> admit(String method, String project) {
        boolean write = WRITES.contains(method);
        int limit = write ? writesPerWindow : READS.contains(method) ? readsPerWindow : 0;
        if (limit <= 0 || project == null) {
            return Optional.empty();
        }
        Deque<Instant> calls = windows.computeIfAbsent((write ? "write:" : "read:") + project, k -> new ArrayDeque<>());
        Instant now = clock.instant();
        synchronized (calls) {
            while (!calls.isEmpty() && !calls.peekFirst().isAfter(now.minus(window))) {
                calls.pollFirst();
            }
            if (calls.size() >= limit) {
                refused.incrementAndGet();
                return Optional.of(Status.RESOURCE_EXHAUSTED.withDescription("Quota exceeded for quota metric '"
                        + (write ? "Write" : "Read") + " requests' of service 'secretmanager.googleapis.com' for"
                        + " consumer 'project_number:" + project + "'."));
            }
            calls.addLast(now);
        }
        return Optional.empty();
    }
}
