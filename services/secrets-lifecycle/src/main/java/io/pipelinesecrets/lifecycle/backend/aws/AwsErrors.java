package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.port.BackendError;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Sorts AWS failures, after the SDK's own retries, into retryable (throttling, 5xx, timeouts, network) and
 * permanent (access denied, validation, invalid request, limits, oversize values). The AWS error code becomes the
 * audit event's error code; the message is AWS's, shortened — AWS does not echo secret values in its messages,
 * and the service never puts one in a request field AWS could echo.
 */
final class AwsErrors {

    private static final Set<String> THROTTLING = Set.of("ThrottlingException", "Throttling", "TooManyRequestsException",
            "RequestLimitExceeded", "RequestThrottled", "SlowDown");
    private static final int MAX_MESSAGE = 300;

    private AwsErrors() {
    }

    static BackendError classify(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null || service.awsErrorDetails().errorCode() == null
                    ? "HTTP_" + service.statusCode() : service.awsErrorDetails().errorCode();
            String message = shorten(service.awsErrorDetails() == null ? service.getMessage()
                    : service.awsErrorDetails().errorMessage());
            boolean retryable = service.isThrottlingException() || THROTTLING.contains(code) || service.statusCode() >= 500;
            return retryable ? BackendError.retryable(code, message) : BackendError.permanent(code, message);
        }
        if (cause instanceof SdkClientException || cause instanceof TimeoutException) {
            return BackendError.retryable("CLIENT_ERROR", cause.getClass().getSimpleName() + ": " + shorten(cause.getMessage()));
        }
        return BackendError.retryable("UNEXPECTED", cause.getClass().getSimpleName());
    }

    /** Whether a code {@link #classify} put into a {@link BackendError} is a throttling one (429 without a code too). */
    static boolean isThrottlingCode(String code) {
        return THROTTLING.contains(code) || "HTTP_429".equals(code);
    }

    static boolean isThrottling(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof AwsServiceException service && (service.isThrottlingException()
                || (service.awsErrorDetails() != null && THROTTLING.contains(service.awsErrorDetails().errorCode())));
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
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
