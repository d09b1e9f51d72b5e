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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.pipelinesecrets.serde.registry.http.RegistryCall.encode;

/**
 * A thin client of the Confluent Schema Registry REST API over {@code java.net.http}: one request per
 * {@link SchemaRegistry} method (register also looks the version up). Wrap it in a
 * {@link io.pipelinesecrets.serde.registry.CachingSchemaRegistry}; this class caches nothing.
 *
 * <p>This class is the API layer: it maps each method to its Confluent endpoint ({@link RegistryCall}) and reads
 * the answers. Refusals map to the {@link SchemaRegistryException} subclasses by Confluent's {@code error_code}
 * ({@link RegistryRefusals}). 5xx answers, connection failures and timeouts are retried over the configured URLs
 * ({@link UrlFailover}); each request is sent, bounded in time and size, by {@link RegistryTransport}. Messages name
 * the method, path, subject or id and the registry's host; never request bodies or credentials. Thread-safe.
 *
 * <p>Authentication is HTTP basic or a bearer token ({@link RegistryAuthentication}), sent with every request (not
 * after a challenge); 401 and 403 answers raise {@link SchemaRegistryException.Unauthorized} and are not retried.
 * TLS uses the JDK's trust store unless {@link Settings#trustStore()} names another; host names are verified.
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

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** The error code when no usable answer came: unreachable, timed out, interrupted, or a malformed answer. */
    public static final int UNAVAILABLE = 50000;
    /** Confluent's code for an invalid schema, used too when a fetched schema is not valid Avro. */
    public static final int INVALID_SCHEMA = ApiError.INVALID_SCHEMA;

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRegistryClient.class);

    private final UrlFailover failover;
    private final boolean sendsCredentials;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * How to reach the registry.
     *
     * @param urls           base URLs, e.g. {@code http://registry:8081} (a path prefix such as
     *                       {@code /apis/ccompat/v7} is kept); several for failover. Never with credentials in them
     * @param maxAttempts    attempts per call (each tries every URL), at least 1
     * @param backoff        pause after the first failed attempt, doubled after each further one up to 10 s
     * @param authentication credentials sent with every request, {@link RegistryAuthentication#NONE} for none
     * @param trustStore     the certificates to trust for {@code https://} URLs, or null for the JDK's default ones
     */
    public record Settings(List<URI> urls, Duration requestTimeout, Duration connectTimeout, int maxAttempts,
                           Duration backoff, RegistryAuthentication authentication,
                           RegistryTrustStore trustStore) {

        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        public static final int DEFAULT_MAX_ATTEMPTS = 3;
        public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);

        public Settings {
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("schema.registry.url needs at least one http(s):// URL");
            }
            urls.forEach(RegistryUrls::requireUsable);
            requirePositive(requestTimeout, "request timeout");
            requirePositive(connectTimeout, "connect timeout");
            Objects.requireNonNull(backoff, "backoff");
            if (maxAttempts < 1 || backoff.isNegative()) {
                throw new IllegalArgumentException("need maxAttempts >= 1 and a backoff >= 0");
            }
            authentication = authentication == null ? RegistryAuthentication.NONE : authentication;
        }

        /** Without credentials, trusting the JDK's certificate authorities. */
        public Settings(List<URI> urls, Duration requestTimeout, Duration connectTimeout, int maxAttempts,
                        Duration backoff) {
            this(urls, requestTimeout, connectTimeout, maxAttempts, backoff, RegistryAuthentication.NONE, null);
        }

        /** The default timeouts and retries for comma-separated URLs, as in {@code schema.registry.url}. */
        public static Settings of(String commaSeparatedUrls) {
            List<URI> urls = Arrays.stream(commaSeparatedUrls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(RegistryUrls::parse).toList();
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
        public Settings withAuthentication(RegistryAuthentication authentication) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        /** These settings trusting the certificates in this store (null: the JDK's default ones). */
        public Settings withTrustStore(RegistryTrustStore trustStore) {
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff, authentication, trustStore);
        }

        private static void requirePositive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("the schema registry " + name + " must be positive");
            }
        }
    }

    public ConfluentRegistryClient(Settings settings) {
        this(settings, RegistryTransport.httpClient(Objects.requireNonNull(settings, "settings").connectTimeout(),
                settings.trustStore()));
    }

    /** With the HTTP client it sends through; the fuzz test hands in one that answers from its input. */
    ConfluentRegistryClient(Settings settings, HttpClient http) {
        this(settings, http, UrlFailover.Sleeper.THREAD);
    }

    /** With the HTTP client and the wait between attempts; tests record the pauses instead of waiting. */
    ConfluentRegistryClient(Settings settings, HttpClient http, UrlFailover.Sleeper sleeper) {
        Objects.requireNonNull(settings, "settings");
        RegistryTransport transport = new RegistryTransport(http, settings.requestTimeout(), settings.authentication());
        this.failover = new UrlFailover(settings.urls(), settings.maxAttempts(), settings.backoff(), transport, sleeper);
        this.sendsCredentials = settings.authentication().sendsCredentials();
        if (sendsCredentials) {
            List<String> plain = settings.urls().stream().filter(u -> "http".equalsIgnoreCase(u.getScheme()))
                    .map(RegistryUrls::redact).toList();
            if (!plain.isEmpty()) {
                LOG.warn("Schema registry credentials ({}) go unencrypted to {}: use https:// outside a test setup",
                        settings.authentication(), plain);
            }
        }
    }

    @Override
    public RegisteredSchema register(String subject, Schema schema) {
        RegistryCall call = new RegistryCall(RegistryCall.Endpoint.REGISTER, "POST",
                "/subjects/" + encode(subject) + "/versions", schemaBody(schema), subject, null);
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
        RegistryCall call = new RegistryCall(RegistryCall.Endpoint.LOOKUP, "POST", "/subjects/" + encode(subject),
                schemaBody(schema), subject,
                "schema " + schema.getFullName() + " is not registered under subject '" + subject + "'");
        JsonNode answer = execute(call);
        return new RegisteredSchema(subject, requireInt(answer, "id", call), requireInt(answer, "version", call), schema);
    }

    @Override
    public Schema schemaById(int id) {
        RegistryCall call = RegistryCall.get(RegistryCall.Endpoint.SCHEMA_BY_ID, "/schemas/ids/" + id, null,
                "no schema with id " + id);
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
        RegistryCall call = new RegistryCall(RegistryCall.Endpoint.COMPATIBILITY, "POST",
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
            return level(RegistryCall.get(RegistryCall.Endpoint.GET_CONFIG, "/config", null, null));
        }
        RegistryCall call = RegistryCall.get(RegistryCall.Endpoint.GET_CONFIG,
                "/config/" + encode(subject.get()) + "?defaultToGlobal=true", subject.get(), null);
        try {
            return level(call);
        } catch (SchemaRegistryException.SubjectNotFound e) {
            return compatibilityLevel(Optional.empty());
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == ApiError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED) {
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
        execute(new RegistryCall(RegistryCall.Endpoint.SET_CONFIG, "PUT",
                subject.map(s -> "/config/" + encode(s)).orElse("/config"), body, subject.orElse(null), level.trim()));
    }

    private String level(RegistryCall call) {
        JsonNode answer = execute(call);
        // GET answers "compatibilityLevel"; some registries (and PUT) say "compatibility".
        JsonNode level = answer.hasNonNull("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        if (level == null || !level.isTextual() || level.asText().isBlank()) {
            throw new SchemaRegistryException(UNAVAILABLE, call + " answered without a \"compatibilityLevel\"");
        }
        return level.asText();
    }

    /** The answer's JSON object, or the refusal it means. */
    private JsonNode execute(RegistryCall call) {
        UrlFailover.Answer answer = failover.send(call);
        HttpResponse<String> response = answer.response();
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
            throw RegistryRefusals.of(call, status, ErrorAnswer.of(response), RegistryUrls.redact(answer.base()),
                    sendsCredentials);
        }
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

    private String schemaBody(Schema schema) {
        try {
            return json.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a schema request for " + schema.getFullName(), e);
        }
    }

    private static int requireInt(JsonNode answer, String field, RegistryCall call) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException(UNAVAILABLE, call + " answered without an integer \"" + field + "\"");
        }
        return value.asInt();
    }
}
