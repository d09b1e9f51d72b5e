package io.pipelinesecrets.lifecycle.backend.google;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import io.pipelinesecrets.lifecycle.port.BackendError;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Sorts Secret Manager failures into retryable (quota, unavailable, deadline, aborted, internal) and permanent
 * (permission denied, invalid argument, failed precondition, unauthenticated, and every other answer). The gRPC
 * status name becomes the audit event's error code; the message is Google's, shortened: Google does not echo
 * payloads, and no request field the service fills holds a value.
 */
final class GoogleErrors {

    static final String THROTTLED = StatusCode.Code.RESOURCE_EXHAUSTED.name();
    private static final Set<StatusCode.Code> RETRYABLE = Set.of(StatusCode.Code.RESOURCE_EXHAUSTED,
            StatusCode.Code.UNAVAILABLE, StatusCode.Code.DEADLINE_EXCEEDED, StatusCode.Code.ABORTED,
            StatusCode.Code.INTERNAL, StatusCode.Code.UNKNOWN, StatusCode.Code.CANCELLED);
    private static final int MAX_MESSAGE = 300;

    private GoogleErrors() {
    }

    static BackendError classify(Throwable failure) {
        Throwable cause = unwrap(failure);
        Optional<StatusCode.Code> code = codeOf(cause);
        if (code.isPresent()) {
            String message = shorten(cause.getMessage());
            return RETRYABLE.contains(code.get()) ? BackendError.retryable(code.get().name(), message)
                    : BackendError.permanent(code.get().name(), message);
        }
        return BackendError.retryable("CLIENT_ERROR", cause.getClass().getSimpleName() + ": " + shorten(cause.getMessage()));
    }

    /** The gRPC status of a failed call, when Secret Manager (or the transport) answered one. */
    static Optional<StatusCode.Code> codeOf(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof ApiException api && api.getStatusCode() != null
                ? Optional.of(api.getStatusCode().getCode()) : Optional.empty();
    }

    static boolean is(Throwable failure, StatusCode.Code code) {
        return codeOf(failure).filter(code::equals).isPresent();
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String shorten(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }
}
