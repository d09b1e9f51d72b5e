package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.run.RunInput;

import java.time.Duration;

/**
 * Told how each backend call the {@link BackendDispatcher} starts turns out. Called on whatever thread completes
 * the call (docs/design.md §6): implementations must be thread-safe, quick, and must not throw.
 */
public interface BackendObserver {

    /** Observes nothing: for tests and tools that need no metrics. */
    BackendObserver NONE = new BackendObserver() {
    };

    /** How a call ended, worst outcome of its secrets first: one permanent failure makes the call permanent. */
    enum CallOutcome {
        SUCCESS,
        RETRYABLE,
        PERMANENT
    }

    /**
     * One call (all secrets of one provision or release command) ended.
     *
     * @param took from dispatch on the stream thread to the result's hand-over, rate-limiter wait included
     */
    default void called(String backend, RunInput.Operation operation, CallOutcome outcome, Duration took) {
    }

    /** The backend refused a request for exceeding its rate (after the client's own retries). */
    default void throttled(String backend) {
    }
}
