package io.pipelinesecrets.lifecycle.backend.aws;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic {@code ClientRequestToken}s: the same run, secret name and value version always give the same
 * token, so the SDK's retries, the service's own retries and replays of the launched topic are idempotent
 * creates, while a changed value (a new version) is a new token.
 */
final class RequestTokens {

    private RequestTokens() {
    }

    static String forSecret(String runId, String secretName, long version) {
        return uuid("secret|" + runId + "|" + secretName + "|" + version);
    }

    /**
     * A token for writing a value whose version's deterministic token is already taken by another value (a producer
     * changed the value without bumping the version). Random is fine here: the SDK reuses the token on its own
     * retries, and the service's retries and replays first compare the secret's current value and write nothing
     * once it holds this one; the deterministic token cannot be reused, Secrets Manager refuses a second value under it.
     */
    static String fresh() {
        return UUID.randomUUID().toString();
    }

    /** A bundle's content changes with any member's version, so the token covers every name and version. */
    static String forBundle(String runId, String namesAndVersions) {
        return uuid("bundle|" + runId + "|" + namesAndVersions);
    }

    private static String uuid(String identity) {
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
