package io.pipelinesecrets.lifecycle.admin;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lets a request reach its handler only with {@code Authorization: Bearer <admin token>}; answers 403 when no
 * token is configured (the endpoint is off) and 401 with a {@code Bearer} challenge otherwise.
 *
 * <p>The header is read as RFC 7235 and RFC 6750 write it: the scheme is case-insensitive ({@code bearer} works,
 * as the RFC says and curl users expect), optional whitespace around the value is ignored, the token itself is
 * case-sensitive and has no whitespace inside. A value longer than {@value #MAX_AUTHORIZATION_LENGTH}
 * characters is refused before anything else is done with it, so a huge header costs no hashing; the JDK server
 * bounds the memory of the headers it reads ({@code sun.net.httpserver.maxReqHeaderSize}). No response and no log
 * line ever carries what was presented.
 */
final class BearerTokenFilter extends Filter {

    static final String CHALLENGE = "Bearer realm=\"pipeline-secrets-admin\"";
    /** A token is at most {@value AdminToken#MAXIMUM_LENGTH} characters; anything far beyond is not one. */
    static final int MAX_AUTHORIZATION_LENGTH = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenFilter.class);
    private static final String SCHEME = "Bearer";

    /** Why a request was refused, as the 401's detail says it. */
    enum Refusal {
        MISSING("send Authorization: Bearer <admin token>"),
        REPEATED("send one Authorization header, not several"),
        TOO_LONG("the Authorization header is longer than " + MAX_AUTHORIZATION_LENGTH + " characters"),
        NOT_BEARER("the Authorization header is not of the form: Bearer <admin token>"),
        WRONG_TOKEN("the bearer token is not the admin token");

        final String detail;

        Refusal(String detail) {
            this.detail = detail;
        }
    }

    private final Optional<AdminToken> expected;

    BearerTokenFilter(Optional<AdminToken> expected) {
        this.expected = expected;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (expected.isEmpty()) {
            JsonResponses.send(exchange, 403, Map.of("error", "forbidden", "detail", endpoint(exchange)
                    + " is off because no admin token is configured: set admin.token-file (e.g. a mounted"
                    + " Kubernetes Secret) or PIPELINE_SECRETS_ADMIN_TOKEN"));
            return;
        }
        Optional<Refusal> refusal = refusal(exchange.getRequestHeaders().get("Authorization"), expected.get());
        if (refusal.isEmpty()) {
            chain.doFilter(exchange);
            return;
        }
        // Debug, not warn: anyone who reaches the port can cause these lines.
        LOG.debug("admin request to {} refused ({}) from {}", endpoint(exchange), refusal.get(),
                exchange.getRemoteAddress().getAddress().getHostAddress());
        exchange.getResponseHeaders().set("WWW-Authenticate", CHALLENGE);
        JsonResponses.send(exchange, 401, Map.of("error", "unauthorized", "detail", refusal.get().detail));
    }

    /** The context's path ("/runs"), never the request's own, which the client chooses. */
    private static String endpoint(HttpExchange exchange) {
        String context = exchange.getHttpContext().getPath();
        return context.endsWith("/") ? context.substring(0, context.length() - 1) : context;
    }

    @Override
    public String description() {
        return "Authorization: Bearer <admin token>";
    }

    /** Why these Authorization header values do not present the expected token, or empty when they do. */
    static Optional<Refusal> refusal(List<String> values, AdminToken expected) {
        if (values == null || values.isEmpty()) {
            return Optional.of(Refusal.MISSING);
        }
        if (values.size() > 1) {
            return Optional.of(Refusal.REPEATED);
        }
        String value = values.get(0);
        if (value.length() > MAX_AUTHORIZATION_LENGTH) {
            return Optional.of(Refusal.TOO_LONG);
        }
        Optional<String> token = bearerToken(trimOptionalWhitespace(value));
        if (token.isEmpty()) {
            return Optional.of(Refusal.NOT_BEARER);
        }
        return expected.matches(token.get()) ? Optional.empty() : Optional.of(Refusal.WRONG_TOKEN);
    }

    /** {@code Bearer 1*SP token}, the scheme in any case; the token must not hold whitespace. */
    private static Optional<String> bearerToken(String credentials) {
        if (credentials.length() <= SCHEME.length() || !credentials.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || credentials.charAt(SCHEME.length()) != ' ') {
            return Optional.empty();
        }
        String token = trimOptionalWhitespace(credentials.substring(SCHEME.length()));
        if (token.isEmpty() || token.chars().anyMatch(c -> c == ' ' || c == '\t')) {
            return Optional.empty();
        }
        return Optional.of(token);
    }

    /** Trims RFC 7230's optional whitespace (spaces and tabs), nothing else. */
    private static String trimOptionalWhitespace(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isOptionalWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && isOptionalWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isOptionalWhitespace(char c) {
        return c == ' ' || c == '\t';
    }
}
