package io.pipelinesecrets.lifecycle.port;

import java.util.Objects;

/**
 * Why a backend operation on one secret failed. {@link Kind#RETRYABLE} failures (throttling, 5xx, timeouts, I/O
 * hiccups) are tried again with backoff; {@link Kind#PERMANENT} ones (access denied, invalid name, value too
 * large, a path outside the allowed roots) fail the run's provisioning at once. The message is sanitised: it
 * never contains a secret value.
 */
public record BackendError(Kind kind, String code, String message) {

    public enum Kind {
        RETRYABLE,
        PERMANENT
    }

    public BackendError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public static BackendError retryable(String code, String message) {
        return new BackendError(Kind.RETRYABLE, code, message);
    }

    public static BackendError permanent(String code, String message) {
        return new BackendError(Kind.PERMANENT, code, message);
    }

    public boolean isRetryable() {
        return kind == Kind.RETRYABLE;
    }
}
