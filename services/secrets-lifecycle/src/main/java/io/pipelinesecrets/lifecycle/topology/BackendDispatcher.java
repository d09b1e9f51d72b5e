package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.backend.BackendError;
import io.pipelinesecrets.lifecycle.backend.SecretOutcome;
import io.pipelinesecrets.lifecycle.backend.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.StoredSecret;
import io.pipelinesecrets.lifecycle.run.BackendCommand;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Starts the backend call a command asks for and reports every outcome through a callback, without waiting:
 * the caller is the stream thread (DESIGN.md section 6). The callback runs on whatever thread completes the
 * call, so it must only hand the result over (the lifecycle processor enqueues it).
 */
public final class BackendDispatcher implements AutoCloseable {

    private final Map<String, SecretsBackend> backends;

    public BackendDispatcher(Collection<SecretsBackend> backends) {
        this.backends = backends.stream().collect(Collectors.toUnmodifiableMap(SecretsBackend::name, Function.identity()));
    }

    public Set<String> names() {
        return backends.keySet();
    }

    public void dispatch(BackendCommand command, Consumer<RunInput.BackendDone> onDone) {
        long started = System.nanoTime();
        RunInput.Operation operation = command instanceof BackendCommand.Provision
                ? RunInput.Operation.PROVISION : RunInput.Operation.RELEASE;
        List<String> names = command instanceof BackendCommand.Provision provision
                ? provision.secrets().stream().map(Secret::name).toList()
                : ((BackendCommand.Release) command).secrets().stream().map(StoredSecret::name).toList();
        CompletableFuture<List<SecretOutcome>> call = start(command, names);
        call.whenComplete((outcomes, failure) -> {
            List<SecretOutcome> reported = failure == null ? outcomes : failAll(names,
                    BackendError.retryable("BACKEND_ERROR", "backend call failed: " + failure.getClass().getSimpleName()));
            onDone.accept(new RunInput.BackendDone(command.runId(), operation, command.attempt(), reported,
                    (System.nanoTime() - started) / 1_000_000));
        });
    }

    private CompletableFuture<List<SecretOutcome>> start(BackendCommand command, List<String> names) {
        SecretsBackend backend = backends.get(command.backend());
        if (backend == null) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("BACKEND_NOT_CONFIGURED",
                    "backend '" + command.backend() + "' is not configured in this service")));
        }
        try {
            return command instanceof BackendCommand.Provision provision
                    ? backend.provision(command.target(), provision.secrets())
                    : backend.release(command.target(), ((BackendCommand.Release) command).secrets());
        } catch (RuntimeException e) {
            // Backends must not throw; one that does must not take the stream thread with it.
            return CompletableFuture.completedFuture(failAll(names,
                    BackendError.retryable("BACKEND_ERROR", "backend threw " + e.getClass().getSimpleName())));
        }
    }

    private static List<SecretOutcome> failAll(List<String> names, BackendError error) {
        return names.stream().map(name -> (SecretOutcome) new SecretOutcome.Failed(name, error)).toList();
    }

    @Override
    public void close() {
        backends.values().forEach(SecretsBackend::close);
    }
}
