package io.pipelinesecrets.lifecycle.port;

import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A secrets manager that holds a run's secrets while it runs.
 *
 * <p>Both operations are asynchronous and idempotent: calling them again with the same input (a retry, a
 * replay, a re-drive after a crash) converges on the same end state and reports success. They never block the
 * caller's thread — the stream thread calls them — and complete on the backend's own executor. The returned
 * future always completes normally, with one outcome per secret; failures are {@link SecretOutcome.Failed}
 * outcomes, never exceptional completion. Nothing a backend logs, returns or throws contains a secret value.
 *
 * <p>Every call carries a {@link CallFence}: once the caller withdraws the call (its deadline passed, its task moved
 * to another instance), the backend makes no further change for it.
 */
public interface SecretsBackend extends AutoCloseable {

    /** Short stable name for audit events and metrics, e.g. {@code filesystem} or {@code aws-secretsmanager}. */
    String name();

    /**
     * Makes every given secret of the run present in the backend. Called with the run's whole resolved set each
     * time (first attempt and retries alike), so a backend that stores a run as one unit writes it whole.
     */
    CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets, CallFence fence);

    /**
     * Makes the given secrets of the run absent, working from the run's manifest (never from listing the
     * backend). A secret that is already gone is {@link SecretOutcome.Deleted}.
     */
    CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence);

    /** A provisioning nobody withdraws (tools and tests). */
    default CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets) {
        return provision(run, secrets, CallFence.open());
    }

    /** A release nobody withdraws (tools and tests). */
    default CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets) {
        return release(run, secrets, CallFence.open());
    }

    /**
     * Everything in the backend that carries this service's managed-by mark, for the reconciler: listed, never
     * read. A backend that cannot list owns nothing the reconciler could clean.
     */
    default CompletableFuture<List<OwnedEntry>> listOwned() {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * Deletes an entry {@link #listOwned} returned, after checking again that it still carries the mark for its
     * run (it may have changed since the listing). Already gone counts as deleted.
     */
    default CompletableFuture<SecretOutcome> deleteOwned(OwnedEntry entry) {
        return CompletableFuture.completedFuture(new SecretOutcome.Failed(entry.ref(),
                BackendError.permanent("NOT_SUPPORTED", name() + " cannot delete what it lists")));
    }

    /**
     * Whether a failure this backend reported means the provider refused the call for its rate (for the throttle
     * metric). Only the backend knows its provider's codes.
     */
    default boolean isThrottling(BackendError error) {
        return false;
    }

    @Override
    default void close() {
    }
}
