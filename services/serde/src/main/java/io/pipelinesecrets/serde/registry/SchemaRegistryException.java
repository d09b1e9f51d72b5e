package io.pipelinesecrets.serde.registry;

/**
 * A schema registry refused or failed a request. The subclasses mirror the Confluent error codes callers act on;
 * messages name the subject and the id, never schema payloads of user data.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int errorCode;

    public SchemaRegistryException(int errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** The Confluent error code (e.g. 40401), or the HTTP status when the registry gave none. */
    public int errorCode() {
        return errorCode;
    }

    /** 40401: the subject has no registered versions. */
    public static final class SubjectNotFound extends SchemaRegistryException {
        public SubjectNotFound(String subject) {
            super(40401, "subject '" + subject + "' not found in the schema registry");
        }
    }

    /** 40403: no schema with that id, or the subject does not hold that schema. */
    public static final class SchemaNotFound extends SchemaRegistryException {
        public SchemaNotFound(String message) {
            super(40403, message);
        }
    }

    /** 409: the schema is not compatible with the subject's earlier versions under its compatibility level. */
    public static final class IncompatibleSchema extends SchemaRegistryException {
        public IncompatibleSchema(String subject, String details) {
            super(409, "schema is incompatible with the latest version of subject '" + subject + "': " + details);
        }
    }
}
