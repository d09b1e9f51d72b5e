package io.pipelinesecrets.serde.registry;

import io.pipelinesecrets.contracts.PipelineSecretsException;

/**
 * A schema registry refused or failed a request. The subclasses mirror the Confluent error codes callers act on;
 * messages name the subject and the id, never schema payloads of user data, and never credentials.
 */
public class SchemaRegistryException extends PipelineSecretsException {

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

    /** 40402: the subject exists but does not have the requested version. */
    public static final class VersionNotFound extends SchemaRegistryException {
        public VersionNotFound(String subject, String version) {
            super(40402, "version " + version + " of subject '" + subject + "' not found in the schema registry");
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

    /** 42201: the registry does not accept the schema (does not parse, unsupported type or references). */
    public static final class InvalidSchema extends SchemaRegistryException {
        public InvalidSchema(String message) {
            super(42201, message);
        }
    }

    /** 42203: the registry does not know (or does not support) the compatibility level. */
    public static final class InvalidCompatibilityLevel extends SchemaRegistryException {
        public InvalidCompatibilityLevel(String message) {
            super(42203, message);
        }
    }

    /**
     * HTTP 401 or 403: the registry wants credentials, refused the ones sent, or does not let them do this. The
     * message names the registry's host and the settings to check, never the credentials.
     */
    public static final class Unauthorized extends SchemaRegistryException {

        /** The setting with {@code user:password} for HTTP basic authentication. */
        public static final String BASIC_AUTH_SETTING = "schema.registry.basic-auth.user-info";
        /** The setting with a bearer token. */
        public static final String BEARER_TOKEN_SETTING = "schema.registry.bearer-token";

        /**
         * @param errorCode        the registry's error code, or the HTTP status (401, 403) if it gave none
         * @param status           the HTTP status, 401 or 403
         * @param registry         the registry's scheme, host and port, without credentials
         * @param request          what was refused, e.g. {@code GET /schemas/ids/7} or a subject
         * @param credentialsSent  whether the request carried credentials
         */
        public Unauthorized(int errorCode, int status, String registry, String request, boolean credentialsSent) {
            super(errorCode, "schema registry at " + registry + " refused " + request + " with HTTP " + status
                    + (status == 403 ? " Forbidden" : " Unauthorized") + ": "
                    + (credentialsSent
                        ? (status == 403 ? "the credentials sent are not allowed to do this"
                                         : "the credentials sent were not accepted")
                        : "no credentials were configured")
                    + "; check " + BASIC_AUTH_SETTING + " (user:password) or " + BEARER_TOKEN_SETTING);
        }
    }
}
