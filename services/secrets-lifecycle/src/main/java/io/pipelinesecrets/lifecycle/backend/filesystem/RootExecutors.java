package io.pipelinesecrets.lifecycle.backend.filesystem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads the filesystem backend does its I/O on: a small pool per allowed root, each with a bounded queue.
 *
 * <p>Per root, because each root is usually a mount of its own: a hard-mounted NFS share that hangs blocks the
 * threads that touch it, and with one shared pool a single hung share would stall every HPC cluster's runs.
 * Bounded, because a hung share otherwise collects an unbounded queue of writes (each holding a run's values in
 * memory); past the bound a call is refused at once as retryable, and the run retries with backoff.
 */
final class RootExecutors implements AutoCloseable {

    /** Threads per root: I/O-bound and rarely concurrent within one share. */
    static final int THREADS_PER_ROOT = 2;
    /** Calls waiting per root; a burst of a thousand runs on one cluster fits, a hung share's backlog stops here. */
    static final int QUEUE_PER_ROOT = 1_000;

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Executor given;
    private final Map<Path, ThreadPoolExecutor> own = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RootExecutors(Executor given) {
        this.given = given;
    }

    /** Every root on the caller's executor, which the caller owns and shuts down (tests). */
    static RootExecutors shared(Executor executor) {
        return new RootExecutors(executor);
    }

    /** Pools of the backend's own, made on first use of a root and stopped by {@link #close()}. */
    static RootExecutors perRoot() {
        return new RootExecutors(null);
    }

    /** @throws RejectedExecutionException once closed */
    Executor forRoot(Path root) {
        if (given != null) {
            return given;
        }
        if (closed) {
            throw new RejectedExecutionException("the filesystem backend is closed");
        }
        return own.computeIfAbsent(root, RootExecutors::pool);
    }

    private static ThreadPoolExecutor pool(Path root) {
        return new ThreadPoolExecutor(THREADS_PER_ROOT, THREADS_PER_ROOT, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_PER_ROOT), runnable -> {
                    Thread thread = new Thread(runnable, "filesystem-backend-" + THREAD_IDS.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Lets queued work finish for a few seconds, then interrupts what is left (a hung share may never return). */
    @Override
    public void close() {
        closed = true;
        List<ExecutorService> pools = new ArrayList<>(own.values());
        pools.forEach(ExecutorService::shutdown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (ExecutorService pool : pools) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !pool.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    pool.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            pools.forEach(ExecutorService::shutdownNow);
            Thread.currentThread().interrupt();
        }
    }
}
