package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Credentials sent in the {@code Authorization} header of every registry request (not after a challenge). The
 * {@code toString()} of every kind hides the credentials, so settings can be logged; the header value itself is
 * handed only to the request.
 */
public sealed interface RegistryAuthentication {

    /** No credentials. */
    RegistryAuthentication NONE = new None();

    /** The value of the {@code Authorization} header, or empty to send none. */
    Optional<String> authorizationHeader();

    /** Whether requests carry credentials, e.g. to say so when they are refused. */
    default boolean sendsCredentials() {
        return authorizationHeader().isPresent();
    }

    /**
     * Basic authentication from Confluent's {@code user:password} form (the password may contain colons).
     *
     * @throws IllegalArgumentException if there is no colon or no user; the message does not echo the text
     */
    static RegistryAuthentication basicUserInfo(String userInfo) {
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(SchemaRegistryException.Unauthorized.BASIC_AUTH_SETTING
                    + " must be user:password (value not shown)");
        }
        return new Basic(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    /** No credentials. */
    record None() implements RegistryAuthentication {
        @Override
        public Optional<String> authorizationHeader() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "no authentication";
        }
    }

    /** HTTP basic authentication, {@code Authorization: Basic base64(user:password)}. */
    record Basic(String user, String password) implements RegistryAuthentication {
        public Basic {
            // Control characters would let a configured value add headers of its own (CR LF).
            if (user == null || user.isEmpty() || user.indexOf(':') >= 0 || password == null
                    || hasControlCharacters(user) || hasControlCharacters(password)) {
                throw new IllegalArgumentException("basic authentication needs a user without ':' and a password,"
                        + " without control characters (values not shown)");
            }
        }

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.of("Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "basic authentication (credentials not shown)";
        }
    }

    /** A bearer token, {@code Authorization: Bearer token}, e.g. an OAuth access token. */
    record Bearer(String token) implements RegistryAuthentication {
        public Bearer {
            if (token == null || token.isBlank() || token.chars().anyMatch(Character::isWhitespace)
                    || hasControlCharacters(token)) {
                throw new IllegalArgumentException(SchemaRegistryException.Unauthorized.BEARER_TOKEN_SETTING
                        + " must be a token without spaces (value not shown)");
            }
        }

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.of("Bearer " + token);
        }

        @Override
        public String toString() {
            return "bearer token (not shown)";
        }
    }

    private static boolean hasControlCharacters(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }
}
