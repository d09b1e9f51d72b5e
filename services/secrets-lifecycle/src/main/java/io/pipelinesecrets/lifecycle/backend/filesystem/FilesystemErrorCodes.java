package io.pipelinesecrets.lifecycle.backend.filesystem;

/**
 * The {@link io.pipelinesecrets.lifecycle.port.BackendError#code() codes} the filesystem backend reports, so
 * audit consumers, alerts and docs can match on them. Which are permanent and which retryable is noted per code.
 */
public final class FilesystemErrorCodes {

    /** Permanent: the event's secrets path is relative, not normalised, or outside every allowed root. */
    /** The reconciler found a run directory without this service's managed-by mark: never touched. */
    public static final String NOT_OURS = "NOT_OURS";
    public static final String PATH_NOT_ALLOWED = "PATH_NOT_ALLOWED";
    /** Permanent: the run id is not one {@link io.pipelinesecrets.contracts.RunIds} accepts. */
    public static final String INVALID_RUN_ID = "INVALID_RUN_ID";
    /** Permanent: a directory below the root, the run directory or the store file is a symbolic link. */
    public static final String SYMLINK_REFUSED = "SYMLINK_REFUSED";
    /** Permanent: a directory below the root or the run directory exists but is not a directory. */
    public static final String NOT_A_DIRECTORY = "NOT_A_DIRECTORY";
    /** Permanent: two secrets of the run's set share a name, so the store would be ambiguous. */
    public static final String DUPLICATE_SECRET_NAME = "DUPLICATE_SECRET_NAME";
    /** Permanent: the store could not be encoded (e.g. a value that is not valid UTF-16). */
    public static final String SERIALISATION_FAILED = "SERIALISATION_FAILED";
    /** Permanent: the filesystem cannot hold POSIX permissions, so owner-only access cannot be guaranteed. */
    public static final String PERMISSIONS_UNSUPPORTED = "PERMISSIONS_UNSUPPORTED";
    /** Permanent: a bug; the message names the exception class. */
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    /** Retryable: the secrets path (or its root) does not exist, e.g. a shared filesystem briefly unmounted. */
    public static final String SECRETS_PATH_MISSING = "SECRETS_PATH_MISSING";
    /** Retryable: any other I/O failure. */
    public static final String IO_ERROR = "IO_ERROR";
    /** Retryable: the backend's executor refused the work (it is shutting down or saturated). */
    public static final String EXECUTOR_REJECTED = "EXECUTOR_REJECTED";

    private FilesystemErrorCodes() {
    }
}
