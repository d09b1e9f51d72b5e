package io.pipelinesecrets.lifecycle.reconcile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the reconciler every interval inside the service, on one instance only: the one that holds the first
 * lifecycle task ({@code leader}). Several instances reconciling at once would be harmless (deletes are
 * idempotent, audit ids deterministic) but would list every backend once per instance for nothing.
 */
public final class PeriodicReconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicReconciler.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "reconciler");
        thread.setDaemon(true);
        return thread;
    });

    public PeriodicReconciler(Reconciler reconciler, Duration interval, BooleanSupplier leader) {
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            if (!leader.getAsBoolean()) {
                LOG.debug("reconcile: another instance holds the first lifecycle task; skipped");
                return;
            }
            try {
                reconciler.reconcile(false);
            } catch (RuntimeException e) {
                // The next pass tries again; a failed pass deleted only what it reported.
                LOG.warn("reconcile pass failed: {}", e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        LOG.info("reconciling every {} on the instance holding the first lifecycle task", interval);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
