package io.pipelinesecrets.serde.registry.http;

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

    /** The call's path under the base URL's own path, e.g. {@code /apis/ccompat/v7} (trailing slashes dropped). */
    static URI resolve(URI base, RegistryCall call) {
        return URI.create(base.toString().replaceAll("/+$", "") + call.path());
    }

    /** Scheme, host and port only: no credentials, no path. */
    static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }
}
