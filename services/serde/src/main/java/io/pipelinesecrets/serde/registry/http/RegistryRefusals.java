package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;

/**
 * What a registry's refusal (an answer from 300 to 499) means: the {@link SchemaRegistryException} subclass for
 * Confluent's {@code error_code} (the codes {@link ApiError} serves), read the same way for Apicurio's variants
 * (see {@link ConfluentRegistryClient}). Messages name the call, subject, id or level and the registry's host;
 * never a request body or credentials.
 */
final class RegistryRefusals {

    private RegistryRefusals() {
    }

    /**
     * @param registry        the registry's scheme, host and port, without credentials
     * @param credentialsSent whether the request carried an {@code Authorization} header
     */
    static SchemaRegistryException of(RegistryCall call, int status, ErrorAnswer error, String registry,
                                      boolean credentialsSent) {
        String subject = call.subject();
        if (status == 401 || status == 403) {
            return new SchemaRegistryException.Unauthorized(error.code(), status, registry,
                    call + (subject == null ? "" : " (subject '" + subject + "')"), credentialsSent);
        }
        switch (error.code()) {
            case ApiError.SUBJECT_NOT_FOUND -> {
                if (subject != null) {
                    return new SchemaRegistryException.SubjectNotFound(subject);
                }
            }
            case ApiError.VERSION_NOT_FOUND -> {
                if (subject != null) {
                    return new SchemaRegistryException.VersionNotFound(subject,
                            call.endpoint() == RegistryCall.Endpoint.COMPATIBILITY ? "latest" : "(see " + call + ")");
                }
            }
            case ApiError.SCHEMA_NOT_FOUND -> {
                if (call.detail() != null) {
                    return new SchemaRegistryException.SchemaNotFound(call.detail());
                }
            }
            case ApiError.INVALID_SCHEMA -> {
                return new SchemaRegistryException.InvalidSchema("the schema registry refused the schema"
                        + (subject == null ? "" : " for subject '" + subject + "'") + " as invalid (" + call
                        + " answered HTTP " + status + ")" + error.suffix());
            }
            case ApiError.INVALID_COMPATIBILITY_LEVEL -> {
                return invalidLevel(call, error);
            }
            default -> {
                // mapped below by status
            }
        }
        if ((status == 409 || error.code() == 409) && subject != null) {
            return new SchemaRegistryException.IncompatibleSchema(subject, withoutExceptionClass(error.message()));
        }
        if (status == 400 && call.endpoint() == RegistryCall.Endpoint.SET_CONFIG) {
            // Apicurio 2.6 answers an unknown level with HTTP 400 and a text body; Confluent with 42203.
            return invalidLevel(call, error);
        }
        return new SchemaRegistryException(error.code(), call + " answered HTTP " + status
                + (subject == null ? "" : " for subject '" + subject + "'") + error.suffix());
    }

    private static SchemaRegistryException invalidLevel(RegistryCall call, ErrorAnswer error) {
        return new SchemaRegistryException.InvalidCompatibilityLevel("the schema registry refused compatibility level '"
                + call.detail() + "'" + (call.subject() == null ? " (global)" : " for subject '" + call.subject() + "'")
                + error.suffix());
    }

    /** Apicurio prefixes messages with the exception's class, e.g. {@code io.apicurio...RuleViolationException: }. */
    static String withoutExceptionClass(String message) {
        return message.replaceFirst("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
    }
}
