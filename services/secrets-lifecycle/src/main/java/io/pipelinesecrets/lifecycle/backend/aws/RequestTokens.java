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

    /** A bundle's content changes with any member's version, so the token covers every name and version. */
    static String forBundle(String runId, String namesAndVersions) {
        return uuid("bundle|" + runId + "|" + namesAndVersions);
    }

    private static String uuid(String identity) {
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
