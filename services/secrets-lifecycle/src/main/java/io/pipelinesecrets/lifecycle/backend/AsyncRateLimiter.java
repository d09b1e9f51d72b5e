package io.pipelinesecrets.lifecycle.backend;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spaces calls to a provider at a fixed rate without blocking a thread: each caller reserves the next free slot and
 * gets a future that completes at that time. A burst of launches therefore queues here instead of meeting the
 * provider's throttling (AWS Secrets Manager's ~50 writes a second, Google Secret Manager's 600 a minute per
 * project), and nothing waits on the stream thread.
 */
public final class AsyncRateLimiter {

    private final long intervalNanos;
    private final ScheduledExecutorService timer;
    private final AtomicLong nextFreeNanos = new AtomicLong(System.nanoTime());

    public AsyncRateLimiter(double permitsPerSecond, ScheduledExecutorService timer) {
        this.intervalNanos = (long) (1_000_000_000L / permitsPerSecond);
        this.timer = timer;
    }

    public CompletableFuture<Void> acquire() {
        long now = System.nanoTime();
        long slot = nextFreeNanos.getAndUpdate(next -> Math.max(next, now) + intervalNanos);
        long delay = Math.max(0, slot - now);
        if (delay == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> permit = new CompletableFuture<>();
        timer.schedule(() -> permit.complete(null), delay, TimeUnit.NANOSECONDS);
        return permit;
    }

    /** How far ahead the limiter is booked: the queue a new call waits behind. */
    public long backlogMillis() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextFreeNanos.get() - System.nanoTime()));
    }
}
