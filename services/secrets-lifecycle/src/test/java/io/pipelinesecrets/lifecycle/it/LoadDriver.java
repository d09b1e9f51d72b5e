package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.testing.await.Await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives a {@link LoadPlan} at a steady pace while a suite injects its faults: one launch every 1/rate seconds,
 * and for a completing run its completion the run's delay after the launch was acknowledged. Remembers when each event was sent, for
 * latency figures. Runs until told to stop launching; completions already scheduled are still sent.
 */
final class LoadDriver implements AutoCloseable {

    private final LoadPlan plan;
    private final EventPublisher publisher;
    private final double runsPerSecond;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "load-driver");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Long> launchSentAt = new ConcurrentHashMap<>();
    private final Map<String, Long> completionSentAt = new ConcurrentHashMap<>();
    private final AtomicInteger completionsPending = new AtomicInteger();
    private final List<LoadPlan.Run> launched = new ArrayList<>();
    private volatile boolean launching;

    LoadDriver(LoadPlan plan, EventPublisher publisher, double runsPerSecond) {
        this.plan = plan;
        this.publisher = publisher;
        this.runsPerSecond = runsPerSecond;
    }

    LoadDriver start() {
        launching = true;
        scheduler.scheduleAtFixedRate(this::launchNext, 0, (long) (1_000_000 / runsPerSecond), TimeUnit.MICROSECONDS);
        return this;
    }

    /** Blocks until at least {@code runs} runs are launched. */
    void awaitLaunched(int runs, Duration timeout) {
        Await.atMost(timeout).until(runs + " runs launched", this::launchedCount, n -> n >= runs, n -> n + " launched");
    }

    /** Stops launching, waits until every scheduled completion is sent and everything sent is acknowledged. */
    void finish(Duration timeout) {
        launching = false;
        Await.atMost(timeout).until("every scheduled completion sent", completionsPending::get, n -> n == 0,
                n -> n + " completions still unsent");
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.flush();
    }

    synchronized int launchedCount() {
        return launched.size();
    }

    synchronized List<LoadPlan.Run> launched() {
        return List.copyOf(launched);
    }

    /** Runs whose completion was sent: at the end, exactly those must be released. */
    boolean completionSent(String runId) {
        return completionSentAt.containsKey(runId);
    }

    Long launchSentAt(String runId) {
        return launchSentAt.get(runId);
    }

    Long completionSentAt(String runId) {
        return completionSentAt.get(runId);
    }

    private void launchNext() {
        if (!launching) {
            return;
        }
        LoadPlan.Run run = plan.next();
        synchronized (this) {
            launched.add(run);
        }
        launchSentAt.put(run.runId(), System.currentTimeMillis());
        CompletableFuture<Void> launchAcknowledged = publisher.launch(plan.launch(run));
        if (run.completes()) {
            // As on the platform, a run completes only after its launch is on the topic: a producer retrying the
            // launch through a broker failure must not let the completion overtake it.
            completionsPending.incrementAndGet();
            launchAcknowledged.thenRun(() -> scheduler.schedule(() -> {
                completionSentAt.put(run.runId(), System.currentTimeMillis());
                publisher.complete(plan.completion(run));
                completionsPending.decrementAndGet();
            }, run.completionDelay().toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void close() {
        launching = false;
        scheduler.shutdownNow();
    }
}
