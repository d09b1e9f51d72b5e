package io.pipelinesecrets.serde.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.serde.registry.RegisteredSchema;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thin client of the Confluent Schema Registry REST API over {@code java.net.http}: one request per
 * {@link SchemaRegistry} method (register also looks the version up). Wrap it in a
 * {@link io.pipelinesecrets.serde.registry.CachingSchemaRegistry}; this class caches nothing.
 *
 * <p>Refusals map to the {@link SchemaRegistryException} subclasses by Confluent's {@code error_code}. 5xx answers,
 * connection failures and timeouts are retried: each attempt tries the URLs in turn, starting with the last one
 * that answered, and attempts are separated by an exponential backoff. Retrying is safe because every call is
 * idempotent (registering a registered schema returns its id). Messages name the method, path, subject or id and
 * the registry's host; never request bodies or credentials. Thread-safe: one {@link HttpClient} is shared.
 *
 * <p>Authentication is HTTP basic or a bearer token ({@link Authentication}), sent with every request (not after a
 * challenge); 401 and 403 answers raise {@link SchemaRegistryException.Unauthorized} and are not retried. TLS uses
 * the JDK's trust store unless {@link Settings#trustStore()} names another; host names are verified.
 *
 * <p>Apicurio Registry's Confluent-compatible API ({@code /apis/ccompat/v7}, 2.6.x) differs from Confluent in a
 * few answers, which this client reads the same way as Confluent's (see the methods for which):
 * <ul>
 *   <li>a compatibility check under a subject without versions answers 40402 (no version 'latest') rather than
 *       40401: read as {@link SchemaRegistryException.SubjectNotFound};</li>
 *   <li>{@code GET /config/{subject}} of a subject without versions answers 40401 rather than the global level:
 *       read as the global level;</li>
 *   <li>an unknown compatibility level in {@code PUT /config} answers HTTP 400 with a text body rather than 42203:
 *       read as {@link SchemaRegistryException.InvalidCompatibilityLevel};</li>
 *   <li>409 messages start with a Java exception class name, which is dropped.</li>
 * </ul>
 * Differences that cannot be papered over are documented on {@link #compatibilityLevel} and
 * {@link #setCompatibilityLevel}.
 */
public final class ConfluentRegistryClient implements SchemaRegistry {

    /** The largest answer read: schemas and id lists are kilobytes; anything far larger is not a registry's. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** The error code when no usable answer came: unreachable, timed out, interrupted, or a malformed answer. */
    public static final int UNAVAILABLE = 50000;
    /** Confluent's code for an invalid schema, used too when a fetched schema is not valid Avro. */
    public static final int INVALID_SCHEMA = 42201;
    /** Confluent's code for a subject without a level of its own, when {@code defaultToGlobal} is not honoured. */
    private static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRegistryClient.class);
    private static final int MAX_MESSAGE_CHARS = 500;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger preferredUrl = new AtomicInteger();

    /**
     * How to reach the registry.
     *
     * @param urls           base URLs, e.g. {@code http://registry:8081} (a path prefix such as
     *                       {@code /apis/ccompat/v7} is kept); several for failover. Never with credentials in them
     * @param maxAttempts    attempts per call (each tries every URL), at least 1
     * @param backoff        pause after the first failed attempt, doubled after each further one up to 10 s
     * @param authentication credentials sent with every request, {@link Authentication#NONE} for none
     * @param trustStore     the certificates to trust for {@code https://} URLs, or null for the JDK's default ones
     */
    public record Settings(List<URI> urls, Duration requestTimeout, Duration connectTimeout, int maxAttempts,
                           Duration backoff, Authentication authentication, TrustStore trustStore) {

        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        public static final int DEFAULT_MAX_ATTEMPTS = 3;
        public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);

        public Settings {
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("schema.registry.url needs at least one http(s):// URL");
            }
            for (URI url : urls) {
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
            requirePositive(requestTimeout, "request timeout");
            requirePositive(connectTimeout, "connect timeout");
            Objects.requireNonNull(backoff, "backoff");
            if (maxAttempts < 1 || backoff.isNegative()) {
                throw new IllegalArgumentException("need maxAttempts >= 1 and a backoff >= 0");
            }
            authentication = authentication == null ? Authentication.NONE : authentication;
        }

        /** Without credentials, trusting the JDK's certificate authorities. */
        public Settings(List<URI> urls, Duration requestTimeout, Duration connectTimeout, int maxAttempts,
                        Duration backoff) {
            this(urls, requestTimeout, connectTimeout, maxAttempts, backoff, Authentication.NONE, null);
        }

        /** The default timeouts and retries for comma-separated URLs, as in {@code schema.registry.url}. */
        public static Settings of(String commaSeparatedUrls) {
            List<URI> urls = Arrays.stream(commaSeparatedUrls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(ConfluentRegistryClient::parseUrl).toList();
            return new Settings(urls, DEFAULT_REQUEST_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ATTEMPTS,
                    DEFAULT_BACKOFF);
        }

        /** These settings with other retries. */
        public Settings withRetries(int maxAttempts, Duration backoff) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        /** These settings with another timeout for each request (from sending it to the end of the answer). */
        public Settings withRequestTimeout(Duration requestTimeout) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        /** These settings with another timeout for opening a connection. */
        public Settings withConnectTimeout(Duration connectTimeout) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        /** These settings with these credentials. */
        public Settings withAuthentication(Authentication authentication) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        /** These settings trusting the certificates in this store (null: the JDK's default ones). */
        public Settings withTrustStore(TrustStore trustStore) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        private static void requirePositive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("the schema registry " + name + " must be positive");
            }
        }
    }

    /**
     * Credentials sent in the {@code Authorization} header of every request. The {@code toString()} of every kind
     * hides the credentials, so settings can be logged.
     */
    public sealed interface Authentication {

        /** No credentials. */
        Authentication NONE = new None();

        /** The value of the {@code Authorization} header, or empty to send none. */
        Optional<String> authorizationHeader();

        /**
         * Basic authentication from Confluent's {@code user:password} form (the password may contain colons).
         *
         * @throws IllegalArgumentException if there is no colon or no user; the message does not echo the text
         */
        static Authentication basicUserInfo(String userInfo) {
            int colon = userInfo == null ? -1 : userInfo.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(SchemaRegistryException.Unauthorized.BASIC_AUTH_SETTING
                        + " must be user:password (value not shown)");
            }
            return new Basic(userInfo.substring(0, colon), userInfo.substring(colon + 1));
        }

        /** No credentials. */
        record None() implements Authentication {
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
        record Basic(String user, String password) implements Authentication {
            public Basic {
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
        record Bearer(String token) implements Authentication {
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

    /**
     * A key store file of trusted certificates, for a registry whose certificate is not signed by a certificate
     * authority the JDK trusts (a company CA, a self-signed certificate).
     *
     * @param location the file
     * @param password its password, or null if it has none (a PKCS12 store of certificates may have none)
     * @param type     {@code JKS} (the default, which in Java 17 reads PKCS12 files too) or {@code PKCS12}
     */
    public record TrustStore(Path location, String password, String type) {

        public static final String DEFAULT_TYPE = "JKS";

        public TrustStore {
            Objects.requireNonNull(location, "trust store location");
            type = type == null || type.isBlank() ? DEFAULT_TYPE : type.trim().toUpperCase(Locale.ROOT);
        }

        /**
         * A TLS context trusting exactly the certificates in the store.
         *
         * @throws IllegalArgumentException naming the file and type (never the password) if it cannot be read
         */
        public SSLContext sslContext() {
            if (!Files.isReadable(location)) {
                throw new IllegalArgumentException("schema registry trust store " + location + " is missing or not"
                        + " readable");
            }
            try (InputStream in = Files.newInputStream(location)) {
                KeyStore store = KeyStore.getInstance(type);
                store.load(in, password == null ? null : password.toCharArray());
                if (store.size() == 0) {
                    throw new IllegalArgumentException("schema registry trust store " + location + " holds no"
                            + " certificates");
                }
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                // KeyStore's messages ("keystore password was incorrect", "Invalid keystore format") quote no secret.
                throw new IllegalArgumentException("cannot read schema registry trust store " + location + " as "
                        + type + " (wrong type or password?): " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
            }
        }

        @Override
        public String toString() {
            return "TrustStore[location=" + location + ", type=" + type + ", password="
                    + (password == null ? "none" : "(not shown)") + "]";
        }
    }

    public ConfluentRegistryClient(Settings settings) {
        this(settings, httpClientFor(settings));
    }

    /** With the HTTP client it sends through; the fuzz test hands in one that answers from its input. */
    ConfluentRegistryClient(Settings settings, HttpClient http) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = Objects.requireNonNull(http, "http");
        if (settings.authentication().authorizationHeader().isPresent()) {
            List<String> plain = settings.urls().stream().filter(u -> "http".equalsIgnoreCase(u.getScheme()))
                    .map(ConfluentRegistryClient::redact).toList();
            if (!plain.isEmpty()) {
                LOG.warn("Schema registry credentials ({}) go unencrypted to {}: use https:// outside a test setup",
                        settings.authentication(), plain);
            }
        }
    }

    private static HttpClient httpClientFor(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        // HTTP/1.1: no h2c upgrade dance with proxies on plain http; the registry's answers are small.
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout());
        if (settings.trustStore() != null) {
            builder.sslContext(settings.trustStore().sslContext());
        }
        return builder.build();
    }

    @Override
    public RegisteredSchema register(String subject, Schema schema) {
        Call call = new Call(Endpoint.REGISTER, "POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                subject, null);
        int id = requireInt(execute(call), "id", call);
        try {
            // Confluent answers only the id; the version comes from a lookup.
            return new RegisteredSchema(subject, id, lookup(subject, schema).version(), schema);
        } catch (SchemaRegistryException.SubjectNotFound | SchemaRegistryException.SchemaNotFound e) {
            // Registered, but a lagging follower does not know it yet: the version is unknown, the id is what counts.
            LOG.debug("Version of schema id {} under subject '{}' not yet visible: {}", id, subject, e.getMessage());
            return new RegisteredSchema(subject, id, -1, schema);
        }
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        Call call = new Call(Endpoint.LOOKUP, "POST", "/subjects/" + encode(subject), schemaBody(schema), subject,
                "schema " + schema.getFullName() + " is not registered under subject '" + subject + "'");
        JsonNode answer = execute(call);
        return new RegisteredSchema(subject, requireInt(answer, "id", call), requireInt(answer, "version", call), schema);
    }

    @Override
    public Schema schemaById(int id) {
        Call call = new Call(Endpoint.SCHEMA_BY_ID, "GET", "/schemas/ids/" + id, null, null, "no schema with id " + id);
        JsonNode answer = execute(call);
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException.InvalidSchema("schema id " + id + " is a " + type + " schema, not Avro");
        }
        try {
            return new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException.InvalidSchema("schema id " + id + " from the registry is not valid Avro: "
                    + e.getClass().getSimpleName());
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Apicurio 2.6 answers a check under a subject without versions with 40402 (no version 'latest') where
     * Confluent answers 40401; both raise {@link SchemaRegistryException.SubjectNotFound}.
     */
    @Override
    public boolean isCompatible(String subject, Schema schema) {
        Call call = new Call(Endpoint.COMPATIBILITY, "POST",
                "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema), subject, null);
        JsonNode answer;
        try {
            answer = execute(call);
        } catch (SchemaRegistryException.VersionNotFound e) {
            // Apicurio: no version 'latest' of a subject that has none. Confluent: 40401.
            throw new SchemaRegistryException.SubjectNotFound(subject);
        }
        JsonNode compatible = answer.get("is_compatible");
        if (compatible == null || !compatible.isBoolean()) {
            throw new SchemaRegistryException(UNAVAILABLE, call + " answered without a boolean \"is_compatible\"");
        }
        return compatible.asBoolean();
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a subject this asks {@code GET /config/{subject}?defaultToGlobal=true}. A subject without versions
     * (Apicurio: 40401) or without a level of its own on a registry that ignores {@code defaultToGlobal} (40408)
     * gets the global level, from a second request. Apicurio 2.6 answers {@code NONE} for a subject with versions
     * but no level of its own, even though its global level applies to it: this method cannot tell that apart
     * from a subject set to {@code NONE} and answers {@code NONE} there.
     */
    @Override
    public String compatibilityLevel(Optional<String> subject) {
        if (subject.isEmpty()) {
            return level(new Call(Endpoint.GET_CONFIG, "GET", "/config", null, null, null));
        }
        Call call = new Call(Endpoint.GET_CONFIG, "GET", "/config/" + encode(subject.get()) + "?defaultToGlobal=true",
                null, subject.get(), null);
        try {
            return level(call);
        } catch (SchemaRegistryException.SubjectNotFound e) {
            return compatibilityLevel(Optional.empty());
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SUBJECT_LEVEL_NOT_CONFIGURED) {
                return compatibilityLevel(Optional.empty());
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Confluent lets a level be set for a subject before its first version; Apicurio 2.6 refuses that with
     * 40401, raised as {@link SchemaRegistryException.SubjectNotFound}. Apicurio also treats a subject's
     * {@code NONE} as "no level of its own", so its global level keeps applying to the subject.
     *
     * @throws SchemaRegistryException.InvalidCompatibilityLevel if the level is blank, or the registry refuses it
     *                                                           (Confluent 42203; Apicurio HTTP 400)
     */
    @Override
    public void setCompatibilityLevel(Optional<String> subject, String level) {
        if (level == null || level.isBlank()) {
            throw new SchemaRegistryException.InvalidCompatibilityLevel("a compatibility level is required"
                    + subject.map(s -> " for subject '" + s + "'").orElse(""));
        }
        String body;
        try {
            body = json.writeValueAsString(Map.of("compatibility", level.trim()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a compatibility level request", e);
        }
        execute(new Call(Endpoint.SET_CONFIG, "PUT", subject.map(s -> "/config/" + encode(s)).orElse("/config"), body,
                subject.orElse(null), level.trim()));
    }

    private String level(Call call) {
        JsonNode answer = execute(call);
        // GET answers "compatibilityLevel"; some registries (and PUT) say "compatibility".
        JsonNode level = answer.hasNonNull("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        if (level == null || !level.isTextual() || level.asText().isBlank()) {
            throw new SchemaRegistryException(UNAVAILABLE, call + " answered without a \"compatibilityLevel\"");
        }
        return level.asText();
    }

    /** The endpoints, for what their refusals mean. */
    private enum Endpoint {
        REGISTER, LOOKUP, SCHEMA_BY_ID, COMPATIBILITY, GET_CONFIG, SET_CONFIG
    }

    /**
     * One request: its endpoint, method, raw path and body, the subject it concerns, and a detail for messages
     * (what a 40403 means for lookups and ids, the level for {@code PUT /config}).
     */
    private record Call(Endpoint endpoint, String method, String path, String body, String subject, String detail) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private JsonNode execute(Call call) {
        List<URI> urls = settings.urls();
        Duration backoff = settings.backoff();
        Exception last = null;
        int lastCode = UNAVAILABLE;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            int first = preferredUrl.get();
            for (int i = 0; i < urls.size(); i++) {
                int index = (first + i) % urls.size();
                URI base = urls.get(index);
                try {
                    HttpResponse<String> response = http.send(request(base, call), BoundedBody.ofString(MAX_ANSWER_BYTES));
                    if (response.statusCode() < 500) {
                        preferredUrl.set(index);
                        return answer(call, response, base);
                    }
                    ApiAnswer error = errorOf(response);
                    lastCode = error.code();
                    last = new SchemaRegistryException(error.code(), "HTTP " + response.statusCode() + " from "
                            + redact(base) + (error.message().isEmpty() ? "" : ": " + error.message()));
                } catch (IOException e) { // connection refused or reset, HttpTimeoutException, ...
                    lastCode = UNAVAILABLE;
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryException(UNAVAILABLE, "interrupted during schema registry call " + call, e);
                }
                LOG.debug("Schema registry call {} to {} failed (attempt {}): {}", call, redact(base), attempt, describe(last));
            }
            if (attempt < settings.maxAttempts()) {
                sleep(backoff, call);
                if (backoff.compareTo(MAX_BACKOFF) < 0) { // doubles up to 10 s; a longer configured pause stays
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            }
        }
        throw new SchemaRegistryException(lastCode, "schema registry unavailable: " + call + " failed "
                + settings.maxAttempts() + " attempt(s) on " + urls.stream().map(ConfluentRegistryClient::redact).toList()
                + "; last: " + describe(last), last);
    }

    private HttpRequest request(URI base, Call call) {
        String prefix = base.toString().replaceAll("/+$", "");
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(prefix + call.path()))
                .timeout(settings.requestTimeout())
                .header("Accept", CONTENT_TYPE);
        settings.authentication().authorizationHeader().ifPresent(value -> builder.header("Authorization", value));
        if (call.body() == null) {
            return builder.GET().build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8)).build();
    }

    private JsonNode answer(Call call, HttpResponse<String> response, URI base) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            try {
                JsonNode body = json.readTree(response.body());
                if (body != null && body.isObject()) {
                    return body;
                }
            } catch (JsonProcessingException e) {
                // answered below
            }
            throw new SchemaRegistryException(status, call + " answered HTTP " + status + " without a JSON object");
        }
        ApiAnswer error = errorOf(response);
        String subject = call.subject();
        if (status == 401 || status == 403) {
            throw new SchemaRegistryException.Unauthorized(error.code(), status, redact(base),
                    call + (subject == null ? "" : " (subject '" + subject + "')"),
                    settings.authentication().authorizationHeader().isPresent());
        }
        switch (error.code()) {
            case 40401 -> {
                if (subject != null) {
                    throw new SchemaRegistryException.SubjectNotFound(subject);
                }
            }
            case 40402 -> {
                if (subject != null) {
                    throw new SchemaRegistryException.VersionNotFound(subject, call.endpoint() == Endpoint.COMPATIBILITY
                            ? "latest" : "(see " + call + ")");
                }
            }
            case 40403 -> {
                if (call.detail() != null) {
                    throw new SchemaRegistryException.SchemaNotFound(call.detail());
                }
            }
            case 42201 -> throw new SchemaRegistryException.InvalidSchema("the schema registry refused the schema"
                    + (subject == null ? "" : " for subject '" + subject + "'") + " as invalid (" + call
                    + " answered HTTP " + status + ")"
                    + (error.message().isEmpty() ? "" : ": " + error.message()));
            case 42203 -> throw invalidLevel(call, error);
            default -> {
                // mapped below by status
            }
        }
        if ((status == 409 || error.code() == 409) && subject != null) {
            throw new SchemaRegistryException.IncompatibleSchema(subject, withoutExceptionClass(error.message()));
        }
        if (status == 400 && call.endpoint() == Endpoint.SET_CONFIG) {
            // Apicurio 2.6 answers an unknown level with HTTP 400 and a text body; Confluent with 42203.
            throw invalidLevel(call, error);
        }
        throw new SchemaRegistryException(error.code(), call + " answered HTTP " + status
                + (subject == null ? "" : " for subject '" + subject + "'")
                + (error.message().isEmpty() ? "" : ": " + error.message()));
    }

    private static SchemaRegistryException invalidLevel(Call call, ApiAnswer error) {
        return new SchemaRegistryException.InvalidCompatibilityLevel("the schema registry refused compatibility level '"
                + call.detail() + "'" + (call.subject() == null ? " (global)" : " for subject '" + call.subject() + "'")
                + (error.message().isEmpty() ? "" : ": " + error.message()));
    }

    /** Apicurio prefixes messages with the exception's class, e.g. {@code io.apicurio...RuleViolationException: }. */
    private static String withoutExceptionClass(String message) {
        return message.replaceFirst("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
    }

    /** Confluent's {@code {"error_code", "message"}}, or the HTTP status and no message if the body is not that. */
    private record ApiAnswer(int code, String message) {
    }

    private ApiAnswer errorOf(HttpResponse<String> response) {
        try {
            JsonNode body = json.readTree(response.body());
            if (body != null && body.path("error_code").canConvertToInt()) {
                String message = body.path("message").asText("");
                return new ApiAnswer(body.get("error_code").asInt(), message.length() > MAX_MESSAGE_CHARS
                        ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message);
            }
        } catch (JsonProcessingException e) {
            // e.g. a proxy's HTML page: not quoted, the status says enough
        }
        return new ApiAnswer(response.statusCode(), "");
    }

    private String schemaBody(Schema schema) {
        try {
            return json.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a schema request for " + schema.getFullName(), e);
        }
    }

    private static int requireInt(JsonNode answer, String field, Call call) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException(UNAVAILABLE, call + " answered without an integer \"" + field + "\"");
        }
        return value.asInt();
    }

    private static void sleep(Duration pause, Call call) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(UNAVAILABLE, "interrupted while retrying schema registry call " + call, e);
        }
    }

    /** A path segment: percent-encoded UTF-8, with spaces as {@code %20} (a {@code +} in a path is a plus). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI parseUrl(String text) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("schema.registry.url contains a malformed URL (not shown: it may carry"
                    + " credentials)");
        }
    }

    /** Scheme, host and port only: no credentials, no path. */
    private static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    private static String describe(Exception failure) {
        if (failure instanceof SchemaRegistryException || failure == null) {
            return failure == null ? "none" : failure.getMessage();
        }
        return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : " " + failure.getMessage());
    }
}
