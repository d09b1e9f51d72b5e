package io.pipelinesecrets.lifecycle.run;

/**
 * Where a run is in its secrets lifecycle.
 *
 * <pre>
 *   launch ──> PROVISIONING ──all created──> ACTIVE ──completion──> RELEASING ──all deleted──> RELEASED
 *                  │ permanent failure                                  (retried until done)
 *                  v
 *              ROLLING_BACK ──all deleted──> FAILED ──completion──> RELEASED
 *   completion without launch ─────────────────────────────────────────────────────────────> RELEASED
 * </pre>
 */
public enum Phase {
    PROVISIONING,
    ACTIVE,
    RELEASING,
    ROLLING_BACK,
    FAILED,
    RELEASED;

    /** Phases in which backend calls are made (in flight, or waiting for a retry). */
    public boolean isWorking() {
        return this == PROVISIONING || this == RELEASING || this == ROLLING_BACK;
    }

    /** Phases in which the run's secrets may exist in the backend. */
    public boolean mayHoldSecrets() {
        return this != RELEASED && this != FAILED;
    }
}
