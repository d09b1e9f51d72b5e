package io.pipelinesecrets.lifecycle.backend;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cloud backend's own threads: two that complete its calls' futures (so that no caller's code runs on the client
 * library's I/O threads, and none on the stream thread), and one timer for its rate limiters. Daemons: a backend
 * never keeps the JVM alive.
 */
public final class BackendThreads implements AutoCloseable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ExecutorService completions;
    private final ScheduledExecutorService timer;

    public BackendThreads(String name) {
        this.completions = Executors.newFixedThreadPool(2, daemon(name));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon(name + "-rate-limiter"));
    }

    public ExecutorService completions() {
        return completions;
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        completions.shutdownNow();
        timer.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
