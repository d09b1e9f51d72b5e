package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A backend whose provisioning of one run is held on its way in, as a call queued behind a rate limiter or a hung
 * share would be, until the test lets it go; every other call passes straight to the real backend. Closing it (as
 * the service does when it stops) neither lets the call go nor closes the real backend: the test does both.
 */
final class HoldingBackend implements SecretsBackend {

    private final SecretsBackend backend;
    private final String heldRunId;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private final CompletableFuture<List<SecretOutcome>> heldOutcome = new CompletableFuture<>();
    private final ExecutorService holder = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "held-call");
        thread.setDaemon(true);
        return thread;
    });
    private volatile CallFence heldFence;

    HoldingBackend(SecretsBackend backend, String heldRunId) {
        this.backend = backend;
        this.heldRunId = heldRunId;
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets, CallFence fence) {
        if (!run.runId().equals(heldRunId) || arrived.getCount() == 0) {
            return backend.provision(run, secrets, fence);
        }
        heldFence = fence;
        return CompletableFuture.supplyAsync(() -> {
            arrived.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<SecretOutcome> outcomes = backend.provision(run, secrets, fence).join();
            heldOutcome.complete(outcomes);
            return outcomes;
        }, holder);
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence) {
        return backend.release(run, secrets, fence);
    }

    void awaitHeld(Duration timeout) throws InterruptedException {
        if (!arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no provisioning of " + heldRunId + " arrived within " + timeout);
        }
    }

    /** Lets the held call go on to the real backend and returns what the real backend answered. */
    List<SecretOutcome> letGo(Duration timeout) throws Exception {
        letGo.countDown();
        return heldOutcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    CallFence heldFence() {
        return heldFence;
    }

    /** Stops the holder and closes the real backend: the end of the test, not of the service. */
    void shutDown() {
        letGo.countDown();
        holder.shutdownNow();
        backend.close();
    }
}
