package io.pipelinesecrets.lifecycle.backend.aws;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spaces calls at a fixed rate without blocking a thread: each caller reserves the next free slot and gets a
 * future that completes at that time. A burst of launches therefore queues here instead of meeting Secrets
 * Manager's throttling, and nothing waits on the stream thread.
 */
final class AsyncRateLimiter {

    private final long intervalNanos;
    private final ScheduledExecutorService timer;
    private final AtomicLong nextFreeNanos = new AtomicLong(System.nanoTime());

    AsyncRateLimiter(double permitsPerSecond, ScheduledExecutorService timer) {
        this.intervalNanos = (long) (1_000_000_000L / permitsPerSecond);
        this.timer = timer;
    }

    CompletableFuture<Void> acquire() {
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
    long backlogMillis() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextFreeNanos.get() - System.nanoTime()));
    }
}
