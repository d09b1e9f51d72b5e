package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.BackendError;

/**
 * A run's store cannot be written or removed, for a reason already sanitised into a {@link BackendError}. An
 * exception rather than a result type so the checks can stop the operation from wherever they sit; it carries no
 * stack trace because it is an expected outcome, reported as the run's outcome, not a bug.
 */
final class StoreRefusal extends Exception {

    private final transient BackendError error;

    StoreRefusal(BackendError error) {
        super(error.code() + ": " + error.message(), null, false, false);
        this.error = error;
    }

    static StoreRefusal permanent(String code, String message) {
        return new StoreRefusal(BackendError.permanent(code, message));
    }

    static StoreRefusal retryable(String code, String message) {
        return new StoreRefusal(BackendError.retryable(code, message));
    }

    BackendError error() {
        return error;
    }
}
