package io.pipelinesecrets.serde.registry;

import io.pipelinesecrets.serde.registry.http.ConfluentRegistryClient;
import io.pipelinesecrets.serde.registry.http.RegistryAuthentication;
import io.pipelinesecrets.serde.registry.http.RegistryTrustStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens a registry from its {@code schema.registry.url} and, optionally, the other {@code schema.registry.*}
 * settings.
 *
 * <p>{@code mock://<scope>} names an in-memory registry shared by everything in this JVM that opens the same
 * scope, so that a test's producer and the service under test agree on ids without a server. It is for tests and
 * the embedded dev mode only; production passes an {@code http(s)://} URL, or several separated by commas for
 * failover, which opens a {@link CachingSchemaRegistry} over a {@link ConfluentRegistryClient} with its default
 * timeouts and retries ({@link ConfluentRegistryClient.Settings#of}) and the settings:
 * <ul>
 *   <li>{@value #BASIC_AUTH_USER_INFO}: {@code user:password} for HTTP basic authentication (never put
 *       credentials in the URL: such URLs are refused);</li>
 *   <li>{@value #BEARER_TOKEN}: a bearer token instead (not both);</li>
 *   <li>{@value #TRUSTSTORE_LOCATION}, {@value #TRUSTSTORE_PASSWORD}, {@value #TRUSTSTORE_TYPE} (JKS by default, or
 *       PKCS12): the certificates to trust for {@code https://} instead of the JDK's;</li>
 *   <li>{@value #REQUEST_TIMEOUT}: e.g. {@code 10s}, {@code 500ms}, {@code PT30S} (default 10 s).</li>
 * </ul>
 * Blank values count as unset. Other keys starting with {@code schema.registry.} are refused (a typo would silently
 * drop a credential), except {@value #URL} and {@value #AUTO_REGISTER}, which belong to the caller and are ignored
 * here; keys without that prefix are ignored, so a whole configuration can be passed. Credentials are not used for
 * {@code mock://} URLs.
 */
public final class SchemaRegistries {

    public static final String MOCK_PREFIX = "mock://";

    public static final String URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "schema.registry.auto-register";
    public static final String BASIC_AUTH_USER_INFO = SchemaRegistryException.Unauthorized.BASIC_AUTH_SETTING;
    public static final String BEARER_TOKEN = SchemaRegistryException.Unauthorized.BEARER_TOKEN_SETTING;
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String REQUEST_TIMEOUT = "schema.registry.request-timeout";

    private static final String PREFIX = "schema.registry.";
    private static final Set<String> KNOWN_KEYS = Set.of(URL, AUTO_REGISTER, BASIC_AUTH_USER_INFO, BEARER_TOKEN,
            TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, REQUEST_TIMEOUT);

    private static final Map<String, InMemorySchemaRegistry> MOCK_SCOPES = new ConcurrentHashMap<>();

    private SchemaRegistries() {
    }

    /** The registry at the URL with default settings: no credentials, the JDK's trusted certificates. */
    public static SchemaRegistry open(String url) {
        return open(url, Map.of());
    }

    /**
     * The registry at the URL with the {@code schema.registry.*} settings.
     *
     * @throws IllegalArgumentException naming the key for an unknown {@code schema.registry.*} key or a bad value;
     *                                  credentials are never part of the message
     */
    public static SchemaRegistry open(String url, Map<String, String> settings) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url is required: http(s)://host:port or mock://<scope>");
        }
        String trimmed = url.trim();
        if (trimmed.startsWith(MOCK_PREFIX)) {
            requireKnownKeys(settings);
            String scope = trimmed.substring(MOCK_PREFIX.length());
            if (scope.isBlank()) {
                throw new IllegalArgumentException("schema.registry.url=" + url + " needs a scope name: mock://<scope>");
            }
            return MOCK_SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
        }
        if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
            // Settings validates every URL (all http(s), none with credentials) and never echoes one with a password.
            return new CachingSchemaRegistry(new ConfluentRegistryClient(clientSettings(trimmed, settings)));
        }
        throw new IllegalArgumentException("schema.registry.url=" + url + " must start with http://, https:// or mock://");
    }

    /**
     * The client settings for comma-separated {@code http(s)://} URLs and the {@code schema.registry.*} settings
     * (see the class comment). The trust store is read when the client is created, not here.
     */
    public static ConfluentRegistryClient.Settings clientSettings(String urls, Map<String, String> settings) {
        requireKnownKeys(settings);
        ConfluentRegistryClient.Settings result = ConfluentRegistryClient.Settings.of(urls);

        String userInfo = value(settings, BASIC_AUTH_USER_INFO);
        String token = value(settings, BEARER_TOKEN);
        if (userInfo != null && token != null) {
            throw new IllegalArgumentException("set either " + BASIC_AUTH_USER_INFO + " or " + BEARER_TOKEN
                    + ", not both");
        }
        if (userInfo != null) {
            result = result.withAuthentication(RegistryAuthentication.basicUserInfo(userInfo));
        } else if (token != null) {
            result = result.withAuthentication(new RegistryAuthentication.Bearer(token));
        }

        String location = value(settings, TRUSTSTORE_LOCATION);
        if (location != null) {
            result = result.withTrustStore(new RegistryTrustStore(Path.of(location),
                    value(settings, TRUSTSTORE_PASSWORD), value(settings, TRUSTSTORE_TYPE)));
        } else if (value(settings, TRUSTSTORE_PASSWORD) != null || value(settings, TRUSTSTORE_TYPE) != null) {
            throw new IllegalArgumentException(TRUSTSTORE_PASSWORD + " and " + TRUSTSTORE_TYPE + " need "
                    + TRUSTSTORE_LOCATION);
        }

        String timeout = value(settings, REQUEST_TIMEOUT);
        if (timeout != null) {
            Duration parsed;
            try {
                parsed = parseDuration(timeout);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(REQUEST_TIMEOUT + "=" + timeout + " is not valid; use a duration such"
                        + " as 10s, 500ms, 1m or PT30S");
            }
            if (parsed.isZero() || parsed.isNegative()) {
                throw new IllegalArgumentException(REQUEST_TIMEOUT + "=" + timeout + " must be positive");
            }
            result = result.withRequestTimeout(parsed);
        }
        return result;
    }

    /** Forgets an in-memory scope, so a test can start from an empty registry. */
    public static void dropMockScope(String scope) {
        MOCK_SCOPES.remove(scope);
    }

    private static void requireKnownKeys(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>();
        for (String key : settings.keySet()) {
            if (key.startsWith(PREFIX) && !KNOWN_KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown schema registry setting(s) " + String.join(", ", unknown)
                    + "; known: " + new TreeSet<>(KNOWN_KEYS));
        }
    }

    private static String value(Map<String, String> settings, String key) {
        String value = settings.get(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S}), as the service's settings. */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: " + text, e);
            }
        }
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
        for (String[] unit : units) {
            String number = value.endsWith(unit[0]) ? value.substring(0, value.length() - unit[0].length()).trim() : "";
            if (!number.isEmpty() && number.chars().allMatch(Character::isDigit)) {
                try {
                    return Duration.ofMillis(Math.multiplyExact(Long.parseLong(number), Long.parseLong(unit[1])));
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new IllegalArgumentException("not a duration: " + text, e);
                }
            }
        }
        throw new IllegalArgumentException("not a duration: " + text);
    }
}
