package io.pipelinesecrets.lifecycle.run;

/**
 * Where a run is in its secrets lifecycle.
 *
 * <pre>
 *   launch ──(secretsWatermark not yet applied)──> AWAITING_SECRETS ──applied──> PROVISIONING
 *                                                       │ not within the wait: PROVISION_FAILED ──> FAILED
 *   launch ──> PROVISIONING ──all created──> ACTIVE ──completion──> RELEASING ──all deleted──> RELEASED
 *                  │ permanent failure                                  (retried until done)
 *                  v
 *              ROLLING_BACK ──all deleted──> FAILED ──completion──> RELEASED
 *   completion without launch ─────────────────────────────────────────────────────────────> RELEASED
 * </pre>
 */
public enum Phase {
    /** The launch waits until the service's view of the secrets topic includes what it was launched after. */
    AWAITING_SECRETS,
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
        return this != RELEASED && this != FAILED && this != AWAITING_SECRETS;
    }
}
