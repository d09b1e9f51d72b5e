package io.pipelinesecrets.lifecycle.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The bearer token admin HTTP expects for tenant data. {@code toString} is redacted, so the token inside a
 * configuration record, a log argument or an exception message prints as {@value #REDACTED}; only
 * {@link #reveal()} gives the text, for the one place that must show it (dev's start-up banner).
 *
 * <p>The form is RFC 6750's b64token (letters, digits and {@code -._~+/}, then optional {@code =} padding), so a
 * token always fits in an {@code Authorization: Bearer} header as it is; {@code openssl rand -base64 32} makes one.
 */
public final class AdminToken {

    public static final String REDACTED = "[redacted]";
    /** Shorter tokens can be guessed or are placeholders ("changeme"); 16 random characters are ~96 bits. */
    public static final int MINIMUM_LENGTH = 16;
    /** Keeps {@code Bearer <token>} well inside the bound admin HTTP reads of an Authorization header. */
    public static final int MAXIMUM_LENGTH = 1024;
    private static final String B64TOKEN = "[A-Za-z0-9\\-._~+/]+=*";

    private final String token;
    private final byte[] digest;

    private AdminToken(String token) {
        this.token = token;
        this.digest = sha256(token);
    }

    /**
     * @throws IllegalArgumentException if the text is not a usable token; the message never contains the text
     */
    public static AdminToken of(String token) {
        Objects.requireNonNull(token, "token");
        problem(token).ifPresent(problem -> {
            throw new IllegalArgumentException("the admin token " + problem);
        });
        return new AdminToken(token);
    }

    /** Why a text cannot be a token, as a clause after "the token" (never quoting it), or empty when it can. */
    public static Optional<String> problem(String token) {
        if (token.length() < MINIMUM_LENGTH) {
            return Optional.of("is shorter than " + MINIMUM_LENGTH + " characters");
        }
        if (token.length() > MAXIMUM_LENGTH) {
            return Optional.of("is longer than " + MAXIMUM_LENGTH + " characters");
        }
        if (!token.matches(B64TOKEN)) {
            return Optional.of("holds characters a bearer token cannot carry (spaces, quotes, control or"
                    + " non-ASCII characters); use letters, digits and -._~+/ with optional trailing =");
        }
        return Optional.empty();
    }

    /** A fresh random token (256 bits, URL-safe base64), e.g. for a dev session. */
    public static AdminToken random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new AdminToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /**
     * Whether a presented token is this one, in time independent of where they differ and of either length:
     * both sides are compared as SHA-256 digests, which always have the same length.
     */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    /** The token in clear text, to print for the user who started dev. Never log, return or throw it. */
    public String reveal() {
        return token;
    }

    @Override
    public String toString() {
        return REDACTED;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
