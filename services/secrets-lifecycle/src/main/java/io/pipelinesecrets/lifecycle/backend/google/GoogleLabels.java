package io.pipelinesecrets.lifecycle.backend.google;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Ownership values (instance id, run id, workspace, user, scope) as Secret Manager label values, which allow only
 * lower-case letters, digits, {@code _} and {@code -}, at most 63 characters. A value that fits is written as it
 * is; one that does not is written {@code x-} + its UTF-8 in lower-case unpadded base32, reversible; one whose
 * base32 would not fit is written {@code h-} + 40 hex digits of its SHA-256, which matches only a value that
 * encodes to it (the backend keeps the run id as it is in an annotation, so the reconciler can read it back). Raw values starting with either prefix are encoded too, so no raw value is
 * mistaken for an encoded one.
 */
public final class GoogleLabels {

    public static final int MAX_LENGTH = 63;

    private static final Pattern FITS = Pattern.compile("[a-z0-9_-]{0,63}");
    private static final String REVERSIBLE = "x-";
    private static final String HASHED = "h-";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private GoogleLabels() {
    }

    /** The label value for {@code value}; always valid, and the same for the same value. */
    public static String encode(String value) {
        if (FITS.matcher(value).matches() && !value.startsWith(REVERSIBLE) && !value.startsWith(HASHED)) {
            return value;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        String reversible = REVERSIBLE + base32(utf8);
        if (reversible.length() <= MAX_LENGTH) {
            return reversible;
        }
        return HASHED + HexFormat.of().formatHex(sha256(utf8), 0, 20);
    }

    /** The value a label holds, or empty for a hashed one (which only {@link #encode} can match). */
    public static Optional<String> decode(String label) {
        if (label.startsWith(HASHED)) {
            return Optional.empty();
        }
        if (!label.startsWith(REVERSIBLE)) {
            return Optional.of(label);
        }
        return unbase32(label.substring(REVERSIBLE.length()))
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** Whether the label holds {@code value}, in whichever form it was written. */
    public static boolean holds(String label, String value) {
        return label != null && label.equals(encode(value));
    }

    private static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    private static Optional<byte[]> unbase32(String text) {
        byte[] out = new byte[text.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int digit = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (digit < 0) {
                return Optional.empty();
            }
            buffer = (buffer << 5) | digit;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        return Optional.of(out);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
