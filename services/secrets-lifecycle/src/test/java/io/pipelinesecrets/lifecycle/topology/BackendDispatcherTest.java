package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.run.BackendCommand;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.topology.BackendObserver.CallOutcome;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class BackendDispatcherTest {

    private static final String THROTTLED = "SlowDown";
    private static final RunTarget TARGET = new RunTarget("run-7", "ws", "user", "ce", "slurm", null, null, null);

    private final ExecutorService backendThreads = Executors.newSingleThreadExecutor();
    private final RecordingObserver observer = new RecordingObserver();

    @Test
    void shouldReportEachCallWithItsWorstOutcomeAndDuration() throws Exception {
        BackendError retryable = BackendError.retryable("IO_ERROR", "flaky");
        BackendError permanent = BackendError.permanent("PATH_NOT_ALLOWED", "outside");
        assertThat(callWith(List.of(new SecretOutcome.Deleted("A", "ref"), new SecretOutcome.Deleted("B", "ref"))))
                .isEqualTo("fake release SUCCESS");
        assertThat(callWith(List.of(new SecretOutcome.Deleted("A", "ref"), new SecretOutcome.Failed("B", retryable))))
                .isEqualTo("fake release RETRYABLE");
        assertThat(callWith(List.of(new SecretOutcome.Failed("A", permanent), new SecretOutcome.Failed("B", retryable))))
                .isEqualTo("fake release PERMANENT");
        assertThat(observer.durations).allSatisfy(took -> assertThat(took).isPositive());
    }

    @Test
    void shouldCountOneThrottlePerFailedRequestNotPerSecretItWasReportedFor() throws Exception {
        BackendError bundleThrottled = BackendError.retryable(THROTTLED, "rate exceeded");
        callWith(List.of(new SecretOutcome.Failed("A", bundleThrottled), new SecretOutcome.Failed("B", bundleThrottled),
                new SecretOutcome.Failed("C", BackendError.retryable(THROTTLED, "rate exceeded")),
                new SecretOutcome.Failed("D", BackendError.retryable("IO_ERROR", "not a throttle"))));

        assertThat(observer.throttles).containsExactly("fake", "fake");
    }

    @Test
    void shouldHandResultsOverWithTheRunIdInTheLoggingContextOfTheBackendThread() throws Exception {
        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        BackendDispatcher dispatcher = new BackendDispatcher(List.of(new FakeBackend(List.of(
                new SecretOutcome.Deleted("A", "ref")))), observer);
        dispatcher.dispatch(release(), CallFence.open(), done -> seen.add(Thread.currentThread().getName() + " " + MDC.get("runId")));

        String handOver = seen.poll(10, TimeUnit.SECONDS);
        assertThat(handOver).startsWith("pool-").endsWith(" run-7");
        assertThat(backendThreads.submit(() -> String.valueOf(MDC.get("runId"))).get())
                .as("restored on the pooled thread afterwards").isEqualTo("null");
    }

    @Test
    void shouldNotLetAFailingObserverCostTheResult() throws Exception {
        LinkedBlockingQueue<RunInput.BackendDone> results = new LinkedBlockingQueue<>();
        BackendDispatcher dispatcher = new BackendDispatcher(List.of(new FakeBackend(List.of(
                new SecretOutcome.Deleted("A", "ref")))), new BackendObserver() {
                    @Override
                    public void called(String backend, RunInput.Operation operation, CallOutcome outcome, Duration took) {
                        throw new IllegalStateException("meter registry closed");
                    }
                });
        dispatcher.dispatch(release(), CallFence.open(), results::add);

        assertThat(results.poll(10, TimeUnit.SECONDS)).isNotNull();
    }

    private String callWith(List<SecretOutcome> outcomes) throws InterruptedException {
        LinkedBlockingQueue<RunInput.BackendDone> results = new LinkedBlockingQueue<>();
        new BackendDispatcher(List.of(new FakeBackend(outcomes)), observer).dispatch(release(), CallFence.open(), results::add);
        assertThat(results.poll(10, TimeUnit.SECONDS)).as("result handed over").isNotNull();
        return observer.calls.get(observer.calls.size() - 1);
    }

    private static BackendCommand release() {
        return new BackendCommand.Release("run-7", "fake", 1, TARGET, List.of(new StoredSecret("A", "ref")));
    }

    /** Completes on its own thread, as real backends do, after a moment so that durations are measurable. */
    private final class FakeBackend implements SecretsBackend {
        private final List<SecretOutcome> outcomes;

        FakeBackend(List<SecretOutcome> outcomes) {
            this.outcomes = outcomes;
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets, CallFence fence) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    TimeUnit.MILLISECONDS.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return outcomes;
            }, backendThreads);
        }

        @Override
        public boolean isThrottling(BackendError error) {
            return THROTTLED.equals(error.code());
        }
    }

    private static final class RecordingObserver implements BackendObserver {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final List<Duration> durations = Collections.synchronizedList(new ArrayList<>());
        final List<String> throttles = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void called(String backend, RunInput.Operation operation, CallOutcome outcome, Duration took) {
            calls.add(backend + " " + operation.name().toLowerCase() + " " + outcome);
            durations.add(took);
        }

        @Override
        public void throttled(String backend) {
            throttles.add(backend);
        }
    }
}
