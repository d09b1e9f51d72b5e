package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.port.Deployment;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic {@code ClientRequestToken}s: the same run, secret name and value version always give the same
 * token, so the SDK's retries, the service's own retries and replays of the launched topic are idempotent
 * creates, while a changed value (a new version) is a new token.
 *
 * <p>The deployment takes part: Secrets Manager answers a create that repeats a token with the secret it already
 * made, without a word about who made it, so two deployments serving the same run ids would otherwise each take the
 * other's secret for their own (and delete it when their run ends). With the deployment in the token, the second
 * create meets an existing name and goes through the ownership check.
 */
final class RequestTokens {

    private RequestTokens() {
    }

    static String forSecret(String runId, String secretName, long version) {
        return forSecret(null, runId, secretName, version);
    }

    /** @param deployment null for none (tools and tests), which gives the tokens of earlier versions */
    static String forSecret(Deployment deployment, String runId, String secretName, long version) {
        return uuid("secret|" + scope(deployment) + runId + "|" + secretName + "|" + version);
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
    static String forBundle(Deployment deployment, String runId, String namesAndVersions) {
        return uuid("bundle|" + scope(deployment) + runId + "|" + namesAndVersions);
    }

    private static String scope(Deployment deployment) {
        return deployment == null ? "" : deployment.mark() + "|";
    }

    private static String uuid(String identity) {
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
