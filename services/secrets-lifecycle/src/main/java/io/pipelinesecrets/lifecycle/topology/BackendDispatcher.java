package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.backend.RunLogContext;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.run.BackendCommand;
import io.pipelinesecrets.lifecycle.run.RunInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Starts the backend call a command asks for and reports every outcome through a callback, without waiting:
 * the caller is the stream thread (DESIGN.md section 6). The callback runs on whatever thread completes the
 * call, so it must only hand the result over (the lifecycle processor enqueues it). The callback and the
 * {@link BackendObserver} run with the run's id in the logging MDC.
 */
public final class BackendDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendDispatcher.class);

    private final Map<String, SecretsBackend> backends;
    private final BackendObserver observer;

    public BackendDispatcher(Collection<SecretsBackend> backends) {
        this(backends, BackendObserver.NONE);
    }

    public BackendDispatcher(Collection<SecretsBackend> backends, BackendObserver observer) {
        this.backends = backends.stream().collect(Collectors.toUnmodifiableMap(SecretsBackend::name, Function.identity()));
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    public Set<String> names() {
        return backends.keySet();
    }

    /**
     * @param fence withdrawn by the caller when it no longer wants the call (deadline passed, task closed); a
     *              call withdrawn before it starts is never handed to the backend
     */
    public void dispatch(BackendCommand command, CallFence fence, Consumer<RunInput.BackendDone> onDone) {
        long started = System.nanoTime();
        RunInput.Operation operation = command.operation();
        List<String> names = command.names();
        CompletableFuture<List<SecretOutcome>> call = fence.isWithdrawn()
                ? CompletableFuture.completedFuture(failAll(names, fence.withdrawnError()))
                : start(command, names, fence);
        call.whenComplete((outcomes, failure) -> RunLogContext.withRunId(command.runId(), () -> {
            List<SecretOutcome> reported = failure == null ? outcomes : failAll(names,
                    BackendError.retryable("BACKEND_ERROR", "backend call failed: " + failure.getClass().getSimpleName()));
            long took = System.nanoTime() - started;
            observe(command.backend(), operation, reported, took);
            onDone.accept(new RunInput.BackendDone(command.runId(), operation, command.attempt(), reported,
                    took / 1_000_000));
        }));
    }

    private void observe(String backendName, RunInput.Operation operation, List<SecretOutcome> outcomes, long nanos) {
        BackendObserver.CallOutcome outcome = BackendObserver.CallOutcome.SUCCESS;
        // One failed provider request may be reported for several secrets (a bundle, a refused run) as one shared
        // error instance: count instances, not outcomes, so a throttled bundle counts once.
        Set<BackendError> throttles = Collections.newSetFromMap(new IdentityHashMap<>());
        SecretsBackend backend = backends.get(backendName);
        for (SecretOutcome each : outcomes) {
            if (each instanceof SecretOutcome.Failed failed) {
                BackendError error = failed.error();
                outcome = !error.isRetryable() ? BackendObserver.CallOutcome.PERMANENT
                        : outcome == BackendObserver.CallOutcome.PERMANENT ? outcome : BackendObserver.CallOutcome.RETRYABLE;
                if (backend != null && backend.isThrottling(error)) {
                    throttles.add(error);
                }
            }
        }
        try {
            observer.called(backendName, operation, outcome, Duration.ofNanos(nanos));
            throttles.forEach(error -> observer.throttled(backendName));
        } catch (RuntimeException e) {
            // Metrics must never cost a result: the run state machine waits for this hand-over.
            LOG.warn("backend call observer failed: {}", e.toString());
        }
    }

    private CompletableFuture<List<SecretOutcome>> start(BackendCommand command, List<String> names, CallFence fence) {
        SecretsBackend backend = backends.get(command.backend());
        if (backend == null) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("BACKEND_NOT_CONFIGURED",
                    "backend '" + command.backend() + "' is not configured in this service")));
        }
        try {
            return command instanceof BackendCommand.Provision provision
                    ? backend.provision(command.target(), provision.secrets(), fence)
                    : backend.release(command.target(), ((BackendCommand.Release) command).secrets(), fence);
        } catch (RuntimeException e) {
            // Backends must not throw; one that does must not take the stream thread with it.
            return CompletableFuture.completedFuture(failAll(names,
                    BackendError.retryable("BACKEND_ERROR", "backend threw " + e.getClass().getSimpleName())));
        }
    }

    /** One failure per name: what a call that could not be made, or was given up on, reports. */
    public static List<SecretOutcome> failAll(List<String> names, BackendError error) {
        return names.stream().map(name -> (SecretOutcome) new SecretOutcome.Failed(name, error)).toList();
    }

    @Override
    public void close() {
        backends.values().forEach(SecretsBackend::close);
    }
}
