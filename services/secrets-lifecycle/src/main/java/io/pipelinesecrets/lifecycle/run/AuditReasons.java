package io.pipelinesecrets.lifecycle.run;

/** Values of {@code AuditEvent.reason} and of the service's own error codes; dashboards group by them. */
public final class AuditReasons {

    /** LAUNCH_SKIPPED / COMPLETION_SKIPPED: the run already had this event (or another of its kind). */
    public static final String DUPLICATE = "DUPLICATE";
    /** LAUNCH_SKIPPED: the run's completion arrived first; provisioning now would leak. */
    public static final String ALREADY_COMPLETED = "ALREADY_COMPLETED";
    /** LAUNCH_SKIPPED: older than the stale-launch age with no state (a replay of an old topic). */
    public static final String STALE = "STALE";
    /** SECRET_DELETED: deleted to undo a provisioning that failed. */
    public static final String ROLLBACK = "ROLLBACK";
    /** SECRETS_RELEASED after a failed provisioning: nothing (or only the rolled back part) was there. */
    public static final String PROVISION_FAILED = "PROVISION_FAILED";
    /** SECRETS_RELEASED: the run completed before its provisioning finished; what was created is deleted. */
    public static final String COMPLETED_DURING_PROVISIONING = "COMPLETED_DURING_PROVISIONING";
    /** PROVISION_RETRY_SCHEDULED / RELEASE_RETRY_SCHEDULED: a retryable backend failure. */
    public static final String RETRYABLE_FAILURE = "RETRYABLE_FAILURE";
    /** RELEASE_FAILED: the backend refused a deletion; retried anyway, since an operator may fix the cause. */
    public static final String PERMANENT_FAILURE = "PERMANENT_FAILURE";
    /** RELEASE_FAILED: retryable failures went on as long as would fail a provisioning; the retries go on. */
    public static final String STILL_FAILING = "STILL_FAILING";

    /** COMPLETION_SKIPPED and SECRETS_RELEASED: the run's lease expired; its secrets were released without a completion. */
    public static final String LEASE_EXPIRED = "LEASE_EXPIRED";

    /** Error code: no backend serves the run's compute-environment platform. */
    public static final String UNSUPPORTED_PLATFORM = "UNSUPPORTED_PLATFORM";
    /** A completion names a workspace other than its run's: dead-lettered, the run is not released. */
    public static final String WORKSPACE_MISMATCH = "WORKSPACE_MISMATCH";
    /** The launch's workspace may not use the compute environment it names (lifecycle.compute-env.<id>.workspaces). */
    public static final String COMPUTE_ENV_NOT_ALLOWED = "COMPUTE_ENV_NOT_ALLOWED";
    /** Error code: the launch's secretsWatermark was not applied within the policy's secrets wait. */
    public static final String SECRETS_NOT_VISIBLE = "SECRETS_NOT_VISIBLE";
    /** Error code: retryable failures went on longer than the policy allows. */
    public static final String RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED";

    private AuditReasons() {
    }
}
