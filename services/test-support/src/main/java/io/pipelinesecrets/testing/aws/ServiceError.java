package io.pipelinesecrets.testing.aws;

/**
 * An error the double answers with: HTTP status plus {@code {"__type": code, "Message": message}}. Messages never
 * carry secret values. No stack trace: these are answers, not bugs.
 */
final class ServiceError extends RuntimeException {

    private final String code;
    private final int status;

    private ServiceError(int status, String code, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    String code() {
        return code;
    }

    int status() {
        return status;
    }

    static ServiceError badRequest(String code, String message) {
        return new ServiceError(400, code, message);
    }

    static ServiceError notFound() {
        return badRequest("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }

    static ServiceError notFound(String message) {
        return badRequest("ResourceNotFoundException", message);
    }

    static ServiceError invalidRequest(String message) {
        return badRequest("InvalidRequestException", message);
    }

    static ServiceError invalidParameter(String message) {
        return badRequest("InvalidParameterException", message);
    }

    static ServiceError validation(String message) {
        return badRequest("ValidationException", message);
    }

    static ServiceError resourceExists(String message) {
        return badRequest("ResourceExistsException", message);
    }

    static ServiceError serialization(String message) {
        return badRequest("SerializationException", message);
    }

    static ServiceError throttling() {
        return badRequest("ThrottlingException", "Rate exceeded");
    }

    static ServiceError accessDenied(String operation) {
        return badRequest("AccessDeniedException",
                "User is not authorized to perform: secretsmanager:" + operation + " (injected by the test double)");
    }

    static ServiceError internal(String message) {
        return new ServiceError(500, "InternalServiceError", message);
    }
}
