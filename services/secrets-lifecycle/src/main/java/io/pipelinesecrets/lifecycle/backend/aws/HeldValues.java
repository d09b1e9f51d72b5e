package io.pipelinesecrets.lifecycle.backend.aws;

import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * What an existing secret holds, for adopting it. A value read back is compared and dropped: never logged, audited
 * or put into an exception.
 */
final class HeldValues {

    static final String CURRENT = "AWSCURRENT";

    private HeldValues() {
    }

    /** The id of the version labelled {@code AWSCURRENT}, if any. */
    static Optional<String> currentVersion(DescribeSecretResponse secret) {
        return secret.versionIdsToStages().entrySet().stream()
                .filter(version -> version.getValue().contains(CURRENT))
                .map(java.util.Map.Entry::getKey)
                .findFirst();
    }

    /**
     * Whether {@code held} (null for a binary secret) is exactly {@code wanted}, in time independent of where they
     * first differ, so how long a comparison takes tells nothing about the value.
     */
    static boolean sameValue(String held, String wanted) {
        if (held == null) {
            return false;
        }
        byte[] heldBytes = held.getBytes(StandardCharsets.UTF_8);
        byte[] wantedBytes = wanted.getBytes(StandardCharsets.UTF_8);
        try {
            return MessageDigest.isEqual(heldBytes, wantedBytes);
        } finally {
            Arrays.fill(heldBytes, (byte) 0);
            Arrays.fill(wantedBytes, (byte) 0);
        }
    }
}
