package io.pipelinesecrets.testing.aws;

import java.time.Instant;

/**
 * One CreateSecret or DeleteSecret call as the double saw it. {@code name} is the request's Name (create) or the
 * resolved secret name, falling back to the SecretId as sent (delete); {@code clientRequestToken} is null for
 * deletes; {@code errorCode} is null unless the outcome is {@link Outcome#FAILED}. Holds no secret value.
 */
public record SecretCall(Instant at, String operation, String name, String clientRequestToken, Outcome outcome,
                         String errorCode) {

    public enum Outcome {
        /** A new secret was created. */
        CREATED,
        /** Same name, token and value as an earlier create: answered with the earlier response, nothing changed. */
        IDEMPOTENT_REPLAY,
        /** Scheduled for deletion with a recovery window. */
        DELETION_SCHEDULED,
        /** Force-deleted; the name stays blocked for the configured delay. */
        FORCE_DELETED,
        /** Force delete of a secret that did not exist: 200, as the real service answers. */
        NOTHING_TO_DELETE,
        /** Rejected: by validation, by the service's semantics, or by an injected fault; see {@code errorCode}. */
        FAILED
    }

    static SecretCall failed(String operation, String name, String token, String errorCode) {
        return new SecretCall(Instant.now(), operation, name, token, Outcome.FAILED, errorCode);
    }

    static SecretCall succeeded(String operation, String name, String token, Outcome outcome) {
        return new SecretCall(Instant.now(), operation, name, token, outcome, null);
    }
}
