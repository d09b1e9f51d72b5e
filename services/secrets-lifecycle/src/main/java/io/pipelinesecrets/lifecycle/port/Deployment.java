package io.pipelinesecrets.lifecycle.port;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Which deployment of the service owns what a backend holds, beside the {@code instance.id} written as the
 * managed-by mark: a digest of the Kafka cluster id and the Streams application id. Instances that share both share
 * one consumer group and one run-state changelog, so they are one deployment; anything else is another, even with
 * the same {@code instance.id} (two copies of the defaults in one AWS account, a staging cluster beside production on
 * one shared filesystem). The reconciler deletes only what carries its own deployment's mark, and a backend adopts
 * nothing another deployment marked.
 *
 * <p>The mark is a digest, not the ids: it is compared, never read back, and it keeps cluster ids out of tags.
 */
public record Deployment(String mark) {

    /** Characters of the mark: 64 bits of the digest, plenty to tell deployments apart, short enough for any tag. */
    private static final int MARK_HEX_CHARS = 16;

    public Deployment {
        Objects.requireNonNull(mark, "mark");
        if (!mark.matches("[0-9a-f]{" + MARK_HEX_CHARS + "}")) {
            throw new IllegalArgumentException("a deployment mark is " + MARK_HEX_CHARS + " hex digits, not " + mark);
        }
    }

    public static Deployment of(String kafkaClusterId, String applicationId) {
        Objects.requireNonNull(kafkaClusterId, "kafkaClusterId");
        Objects.requireNonNull(applicationId, "applicationId");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((kafkaClusterId + "\n" + applicationId).getBytes(StandardCharsets.UTF_8));
            return new Deployment(HexFormat.of().formatHex(digest).substring(0, MARK_HEX_CHARS));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return mark;
    }
}
