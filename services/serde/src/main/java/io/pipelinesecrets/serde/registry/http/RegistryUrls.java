package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;

import java.net.URI;
import java.net.URISyntaxException;

/** Reading, joining and showing registry base URLs, which are never shown whole: they might carry a password. */
final class RegistryUrls {

    private RegistryUrls() {
    }

    static URI parse(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("schema.registry.url contains a malformed URL (not shown: it may carry"
                    + " credentials)");
        }
    }

    /**
     * A base URL fit for {@code schema.registry.url}: http(s), a host, no query, no credentials.
     *
     * @throws IllegalArgumentException showing at most the scheme and host
     */
    static void requireUsable(URI url) {
        // URLs are not echoed whole: user info would be a password (basic auth comes with its own settings).
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("schema.registry.url must not carry credentials (user@host):"
                    + " set " + SchemaRegistryException.Unauthorized.BASIC_AUTH_SETTING + " instead");
        }
        if (!("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))
                || url.getHost() == null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("schema.registry.url must be http(s)://host[:port][/path] with a"
                    + " valid host name (letters, digits, '-', '.') and no query: " + url.getScheme() + "://"
                    + (url.getHost() != null ? url.getHost() : "(invalid host)"));
        }
    }

    /** The call's path under the base URL's own path, e.g. {@code /apis/ccompat/v7} (trailing slashes dropped). */
    static URI resolve(URI base, RegistryCall call) {
        return URI.create(base.toString().replaceAll("/+$", "") + call.path());
    }

    /** Scheme, host and port only: no credentials, no path. */
    static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }
}
