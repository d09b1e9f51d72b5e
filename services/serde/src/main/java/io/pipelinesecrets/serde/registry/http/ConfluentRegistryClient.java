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

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * the registry's host; never request bodies or URL credentials. Thread-safe: one {@link HttpClient} is shared.
 */
public final class ConfluentRegistryClient implements SchemaRegistry {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** The error code when no usable answer came: unreachable, timed out, interrupted, or a malformed answer. */
    public static final int UNAVAILABLE = 50000;
    /** Confluent's code for an invalid schema, used too when a fetched schema is not valid Avro. */
    public static final int INVALID_SCHEMA = 42201;

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRegistryClient.class);
    private static final int MAX_MESSAGE_CHARS = 500;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger preferredUrl = new AtomicInteger();

    /**
     * @param urls          base URLs, e.g. {@code http://registry:8081} (a path prefix such as
     *                      {@code /apis/ccompat/v7} is kept); several for failover
     * @param maxAttempts   attempts per call (each tries every URL), at least 1
     * @param backoff       pause after the first failed attempt, doubled after each further one up to 10 s
     */
    public record Settings(List<URI> urls, Duration requestTimeout, Duration connectTimeout, int maxAttempts,
                           Duration backoff) {

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
                    throw new IllegalArgumentException("schema.registry.url must not carry credentials (user@host)");
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
            return new Settings(urls, requestTimeout, connectTimeout, maxAttempts, backoff);
        }

        private static void requirePositive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("the schema registry " + name + " must be positive");
            }
        }
    }

    public ConfluentRegistryClient(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        // HTTP/1.1: no h2c upgrade dance with proxies on plain http; the registry's answers are small.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).build();
    }

    @Override
    public RegisteredSchema register(String subject, Schema schema) {
        Call call = new Call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), subject, null);
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
        Call call = new Call("POST", "/subjects/" + encode(subject), schemaBody(schema), subject,
                "schema " + schema.getFullName() + " is not registered under subject '" + subject + "'");
        JsonNode answer = execute(call);
        return new RegisteredSchema(subject, requireInt(answer, "id", call), requireInt(answer, "version", call), schema);
    }

    @Override
    public Schema schemaById(int id) {
        Call call = new Call("GET", "/schemas/ids/" + id, null, null, "no schema with id " + id);
        JsonNode answer = execute(call);
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException(INVALID_SCHEMA, "schema id " + id + " is a " + type + " schema, not Avro");
        }
        try {
            return new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(INVALID_SCHEMA, "schema id " + id + " from the registry is not valid Avro: "
                    + e.getClass().getSimpleName());
        }
    }

    /** One request: its method, raw path and body, and what a 40401 or 40403 answer means for it. */
    private record Call(String method, String path, String body, String subject, String notFound) {
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
                    HttpResponse<String> response = http.send(request(base, call), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() < 500) {
                        preferredUrl.set(index);
                        return answer(call, response);
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
        if (call.body() == null) {
            return builder.GET().build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8)).build();
    }

    private JsonNode answer(Call call, HttpResponse<String> response) {
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
        if (error.code() == 40401 && call.subject() != null) {
            throw new SchemaRegistryException.SubjectNotFound(call.subject());
        }
        if (error.code() == 40403 && call.notFound() != null) {
            throw new SchemaRegistryException.SchemaNotFound(call.notFound());
        }
        if ((status == 409 || error.code() == 409) && call.subject() != null) {
            throw new SchemaRegistryException.IncompatibleSchema(call.subject(), error.message());
        }
        throw new SchemaRegistryException(error.code(), call + " answered HTTP " + status
                + (error.message().isEmpty() ? "" : ": " + error.message()));
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
