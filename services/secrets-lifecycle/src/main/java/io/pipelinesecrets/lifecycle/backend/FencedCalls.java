package io.pipelinesecrets.lifecycle.backend;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** What the cloud backends share around a provider call: the fence check before it, and outcomes for a whole run. */
public final class FencedCalls {

    private FencedCalls() {
    }

    /**
     * Starts the call unless the caller withdrew it, and cancels the request (which aborts it on the wire) when the
     * caller withdraws it while it is under way. The provider may still have applied an aborted request; the
     * manifest-driven release and the reconciler cover that narrow case. A withdrawn call fails with {@link Withdrawn}.
     */
    public static <T> CompletableFuture<T> unlessWithdrawn(CallFence fence, Supplier<CompletableFuture<T>> call) {
        if (fence.isWithdrawn()) {
            return CompletableFuture.failedFuture(new Withdrawn());
        }
        CompletableFuture<T> request = call.get();
        fence.onWithdraw(() -> request.cancel(true));
        return request;
    }

    public static List<SecretOutcome> failAll(List<String> names, BackendError error) {
        return names.stream().map(n -> (SecretOutcome) new SecretOutcome.Failed(n, error)).toList();
    }

    /** One future of every outcome, in the order given. */
    public static CompletableFuture<List<SecretOutcome>> all(List<CompletableFuture<SecretOutcome>> outcomes) {
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(v -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    /** The caller withdrew the call before this step. */
    public static final class Withdrawn extends RuntimeException {
        Withdrawn() {
            super("withdrawn", null, false, false);
        }
    }
}
