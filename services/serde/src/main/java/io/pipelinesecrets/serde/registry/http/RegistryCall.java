package io.pipelinesecrets.serde.registry.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One request to the registry's Confluent API: its endpoint, method, raw path (relative to a base URL) and body,
 * the subject it concerns, and a detail for messages (what a 40403 means for lookups and ids, the level for
 * {@code PUT /config}). Shown as {@code METHOD path}: never with its body, which may be a schema of user data.
 *
 * @param body null for a {@code GET}
 */
record RegistryCall(Endpoint endpoint, String method, String path, String body, String subject, String detail) {

    /** The endpoints, for what their refusals mean. */
    enum Endpoint {
        REGISTER, LOOKUP, SCHEMA_BY_ID, COMPATIBILITY, GET_CONFIG, SET_CONFIG
    }

    static RegistryCall get(Endpoint endpoint, String path, String subject, String detail) {
        return new RegistryCall(endpoint, "GET", path, null, subject, detail);
    }

    /** A path segment: percent-encoded UTF-8, with spaces as {@code %20} (a {@code +} in a path is a plus). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
