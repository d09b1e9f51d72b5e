package io.pipelinesecrets.serde.registry.http;

/**
 * A request the registry refuses, as Confluent answers it: an HTTP status and a body
 * {@code {"error_code": ..., "message": ...}}. Messages name subjects, ids and versions, never request bodies.
 */
final class ApiError extends RuntimeException {

    static final int SUBJECT_NOT_FOUND = 40401;
    static final int VERSION_NOT_FOUND = 40402;
    static final int SCHEMA_NOT_FOUND = 40403;
    static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
    static final int INVALID_SCHEMA = 42201;
    static final int INVALID_VERSION = 42202;
    static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    static final int INTERNAL_ERROR = 50001;

    private final int status;
    private final int errorCode;

    ApiError(int status, int errorCode, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static ApiError notFound(int errorCode, String message) {
        return new ApiError(404, errorCode, message);
    }

    static ApiError unprocessable(int errorCode, String message) {
        return new ApiError(422, errorCode, message);
    }
}
