package io.pipelinesecrets.testing.aws;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One secret version's payload: either a {@code SecretString} or a {@code SecretBinary}. Immutable; equality is by
 * content; {@link #toString()} never shows the content, so snapshots and call logs are safe to print.
 */
public final class SecretValue {

    private final String text;
    private final byte[] binary;

    private SecretValue(String text, byte[] binary) {
        this.text = text;
        this.binary = binary;
    }

    public static SecretValue ofString(String text) {
        return new SecretValue(Objects.requireNonNull(text, "text"), null);
    }

    public static SecretValue ofBytes(byte[] binary) {
        return new SecretValue(null, Objects.requireNonNull(binary, "binary").clone());
    }

    public boolean isString() {
        return text != null;
    }

    /** The {@code SecretString}; fails for a binary secret. */
    public String asString() {
        if (text == null) {
            throw new IllegalStateException("binary secret value has no SecretString");
        }
        return text;
    }

    /** The {@code SecretBinary} (a copy); fails for a string secret. */
    public byte[] asBytes() {
        if (binary == null) {
            throw new IllegalStateException("string secret value has no SecretBinary");
        }
        return binary.clone();
    }

    /** The size Secrets Manager limits to 65,536: UTF-8 bytes of a string, raw bytes of a binary. */
    public int sizeInBytes() {
        return text != null ? text.getBytes(StandardCharsets.UTF_8).length : binary.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecretValue that
                && Objects.equals(text, that.text) && Arrays.equals(binary, that.binary);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(text) + Arrays.hashCode(binary);
    }

    @Override
    public String toString() {
        return (isString() ? "SecretString" : "SecretBinary") + "[" + sizeInBytes() + " bytes, redacted]";
    }
}
