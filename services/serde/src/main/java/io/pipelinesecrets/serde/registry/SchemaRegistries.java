package io.pipelinesecrets.serde.registry;

import io.pipelinesecrets.serde.registry.http.ConfluentRegistryClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens a registry from its {@code schema.registry.url}.
 *
 * <p>{@code mock://<scope>} names an in-memory registry shared by everything in this JVM that opens the same
 * scope, so that a test's producer and the service under test agree on ids without a server. It is for tests and
 * the embedded dev mode only; production passes an {@code http(s)://} URL, or several separated by commas for
 * failover, which opens a {@link CachingSchemaRegistry} over a {@link ConfluentRegistryClient} with its default
 * timeouts and retries ({@link ConfluentRegistryClient.Settings#of}).
 */
public final class SchemaRegistries {

    public static final String MOCK_PREFIX = "mock://";

    private static final Map<String, InMemorySchemaRegistry> MOCK_SCOPES = new ConcurrentHashMap<>();

    private SchemaRegistries() {
    }

    public static SchemaRegistry open(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url is required: http(s)://host:port or mock://<scope>");
        }
        String trimmed = url.trim();
        if (trimmed.startsWith(MOCK_PREFIX)) {
            String scope = trimmed.substring(MOCK_PREFIX.length());
            if (scope.isBlank()) {
                throw new IllegalArgumentException("schema.registry.url=" + url + " needs a scope name: mock://<scope>");
            }
            return MOCK_SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
        }
        if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
            // Settings validates every URL (all http(s), none with credentials) and never echoes one with a password.
            return new CachingSchemaRegistry(new ConfluentRegistryClient(ConfluentRegistryClient.Settings.of(trimmed)));
        }
        throw new IllegalArgumentException("schema.registry.url=" + url + " must start with http://, https:// or mock://");
    }

    /** Forgets an in-memory scope, so a test can start from an empty registry. */
    public static void dropMockScope(String scope) {
        MOCK_SCOPES.remove(scope);
    }
}
