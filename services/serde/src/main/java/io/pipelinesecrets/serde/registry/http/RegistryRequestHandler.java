package io.pipelinesecrets.serde.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry.CompatibilityLevel;
import io.pipelinesecrets.serde.registry.RegisteredSchema;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Routes the Confluent Schema Registry REST subset to an {@link InMemorySchemaRegistry}. Every answer is JSON of
 * type {@value ConfluentRegistryServer#CONTENT_TYPE}; refusals carry Confluent's {@code error_code}s. Error
 * messages are written here from the subject, id and version of the request, never from its body, so nothing a
 * client sends is echoed back or logged.
 */
final class RegistryRequestHandler implements HttpHandler {

    /** Larger bodies are refused with 413: schemas are kilobytes, and the server should not buffer without end. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryRequestHandler.class);

    private static final Set<String> ACCEPTED_CONTENT_TYPES = Set.of(
            "application/json", "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json");
    private static final String LEVELS = "NONE and BACKWARD";
    /** What {@link #parseVersion} answers for {@code latest} (and for -1, which Confluent reads the same way). */
    private static final int LATEST = -1;

    private final InMemorySchemaRegistry registry;
    private final ObjectMapper mapper;

    RegistryRequestHandler(InMemorySchemaRegistry registry, ObjectMapper mapper) {
        this.registry = registry;
        this.mapper = mapper;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try {
            Response response;
            try {
                response = route(exchange);
            } catch (ApiError e) {
                response = Response.error(e);
            } catch (RuntimeException e) {
                // The exception's message could quote the request; the class name is enough to go on.
                LOG.warn("Schema registry request {} {} failed: {}", exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(), e.getClass().getName());
                LOG.debug("Schema registry request failure", e);
                response = Response.error(new ApiError(500, ApiError.INTERNAL_ERROR,
                        "internal error in the embedded schema registry"));
            }
            write(exchange, response);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Could not answer a schema registry request (client gone?): {}", e.getClass().getName());
        } finally {
            exchange.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- routing

    private Response route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = segments(exchange.getRequestURI().getRawPath());
        int n = path.size();
        String root = n == 0 ? "" : path.get(0);

        if (root.equals("subjects")) {
            if (n == 1) {
                return on(method, Map.of("GET", this::listSubjects));
            }
            String subject = path.get(1);
            if (n == 2) {
                return on(method, Map.of("POST", () -> lookup(subject, readJson(exchange))));
            }
            if (path.get(2).equals("versions")) {
                if (n == 3) {
                    return on(method, Map.of(
                            "GET", () -> listVersions(subject),
                            "POST", () -> register(subject, readJson(exchange))));
                }
                if (n == 4) {
                    return on(method, Map.of("GET", () -> getVersion(subject, path.get(3))));
                }
            }
        } else if (root.equals("schemas") && n == 3 && path.get(1).equals("ids")) {
            return on(method, Map.of("GET", () -> schemaById(path.get(2))));
        } else if (root.equals("compatibility") && n == 5 && path.get(1).equals("subjects")
                && path.get(3).equals("versions")) {
            return on(method, Map.of("POST", () -> checkCompatibility(path.get(2), path.get(4), readJson(exchange))));
        } else if (root.equals("config")) {
            if (n == 1) {
                return on(method, Map.of(
                        "GET", this::globalConfig,
                        "PUT", () -> setGlobalConfig(readJson(exchange))));
            }
            if (n == 2) {
                String subject = path.get(1);
                return on(method, Map.of(
                        "GET", () -> subjectConfig(subject, queryFlag(exchange, "defaultToGlobal")),
                        "PUT", () -> setSubjectConfig(subject, readJson(exchange))));
            }
        }
        throw unknownPath();
    }

    private static Response on(String method, Map<String, Endpoint> endpoints) throws IOException {
        Endpoint endpoint = endpoints.get(method);
        if (endpoint == null) {
            String allow = String.join(", ", new TreeMap<>(endpoints).keySet());
            return new Response(405, errorBody(405, "HTTP 405 Method Not Allowed"), allow);
        }
        return endpoint.call();
    }

    @FunctionalInterface
    private interface Endpoint {
        Response call() throws IOException;
    }

    // -------------------------------------------------------------------------------------------------- endpoints

    private Response listSubjects() {
        return Response.ok(registry.subjects());
    }

    private Response listVersions(String subject) {
        try {
            return Response.ok(registry.versions(subject));
        } catch (SchemaRegistryException e) {
            throw translate(e, subject, null);
        }
    }

    private Response register(String subject, JsonNode body) {
        Schema schema = schemaFrom(body, subject);
        try {
            return Response.ok(Map.of("id", registry.register(subject, schema).id()));
        } catch (SchemaRegistryException e) {
            throw translate(e, subject, null);
        }
    }

    private Response lookup(String subject, JsonNode body) {
        Schema schema = schemaFrom(body, subject);
        try {
            return Response.ok(describe(registry.lookup(subject, schema)));
        } catch (SchemaRegistryException e) {
            throw translate(e, subject, null);
        }
    }

    private Response getVersion(String subject, String versionText) {
        int version = parseVersion(versionText);
        try {
            return Response.ok(describe(version == LATEST ? registry.latest(subject) : registry.version(subject, version)));
        } catch (SchemaRegistryException e) {
            throw translate(e, subject, version);
        }
    }

    private Response schemaById(String idText) {
        int id;
        try {
            id = Integer.parseInt(idText);
        } catch (NumberFormatException e) {
            throw ApiError.notFound(ApiError.SCHEMA_NOT_FOUND, "Schema not found: ids are integers.");
        }
        try {
            return Response.ok(Map.of("schema", registry.schemaById(id).toString()));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == ApiError.SCHEMA_NOT_FOUND) {
                throw ApiError.notFound(ApiError.SCHEMA_NOT_FOUND, "Schema " + id + " not found.");
            }
            throw e;
        }
    }

    private Response checkCompatibility(String subject, String versionText, JsonNode body) {
        int version = parseVersion(versionText);
        Schema candidate = schemaFrom(body, subject);
        try {
            boolean compatible = version == LATEST
                    ? registry.isCompatible(subject, candidate)
                    : registry.isCompatible(subject, version, candidate);
            return Response.ok(Map.of("is_compatible", compatible));
        } catch (SchemaRegistryException e) {
            throw translate(e, subject, version);
        }
    }

    private Response globalConfig() {
        return Response.ok(Map.of("compatibilityLevel", registry.compatibilityLevel().name()));
    }

    private Response setGlobalConfig(JsonNode body) {
        CompatibilityLevel level = levelFrom(body);
        registry.setCompatibilityLevel(level);
        return Response.ok(Map.of("compatibility", level.name()));
    }

    private Response subjectConfig(String subject, boolean defaultToGlobal) {
        CompatibilityLevel level = registry.subjectCompatibilityLevel(subject)
                .or(() -> defaultToGlobal ? Optional.of(registry.compatibilityLevel()) : Optional.empty())
                .orElseThrow(() -> ApiError.notFound(ApiError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                        "Subject '" + subject + "' does not have subject-level compatibility configured"));
        return Response.ok(Map.of("compatibilityLevel", level.name()));
    }

    private Response setSubjectConfig(String subject, JsonNode body) {
        CompatibilityLevel level = levelFrom(body);
        registry.setSubjectCompatibilityLevel(subject, level);
        return Response.ok(Map.of("compatibility", level.name()));
    }

    // ----------------------------------------------------------------------------------------------------- bodies

    private static Map<String, Object> describe(RegisteredSchema registered) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", registered.subject());
        body.put("version", registered.version());
        body.put("id", registered.id());
        body.put("schema", registered.schema().toString());
        return body;
    }

    private static Schema schemaFrom(JsonNode body, String subject) {
        JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !(type.isTextual() && type.asText().equalsIgnoreCase("AVRO"))) {
            throw ApiError.unprocessable(ApiError.INVALID_SCHEMA,
                    "Invalid schema for subject '" + subject + "': this registry serves only schemaType AVRO");
        }
        JsonNode references = body.get("references");
        if (references != null && !references.isNull() && !(references.isArray() && references.isEmpty())) {
            throw ApiError.unprocessable(ApiError.INVALID_SCHEMA,
                    "Invalid schema for subject '" + subject + "': schema references are not supported");
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw ApiError.unprocessable(ApiError.INVALID_SCHEMA, "Invalid schema for subject '" + subject
                    + "': the request needs \"schema\", the schema's JSON as a string");
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            // Avro's message quotes the schema: say only that it did not parse.
            throw ApiError.unprocessable(ApiError.INVALID_SCHEMA,
                    "Invalid schema for subject '" + subject + "': not a valid Avro schema");
        }
    }

    private static CompatibilityLevel levelFrom(JsonNode body) {
        JsonNode level = body.get("compatibility");
        if (level != null && level.isTextual()) {
            String name = level.asText().trim().toUpperCase(Locale.ROOT);
            for (CompatibilityLevel candidate : CompatibilityLevel.values()) {
                if (candidate.name().equals(name)) {
                    return candidate;
                }
            }
        }
        throw ApiError.unprocessable(ApiError.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level. This registry supports " + LEVELS);
    }

    private static int parseVersion(String text) {
        if (text.equals("latest")) {
            return LATEST;
        }
        try {
            int version = Integer.parseInt(text);
            if (version >= 1 || version == LATEST) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.unprocessable(ApiError.INVALID_VERSION,
                "The specified version is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    /** Maps the registry's refusals to Confluent's answers, with messages written here rather than relayed. */
    private static RuntimeException translate(SchemaRegistryException e, String subject, Integer version) {
        return switch (e.errorCode()) {
            case ApiError.SUBJECT_NOT_FOUND -> ApiError.notFound(ApiError.SUBJECT_NOT_FOUND,
                    "Subject '" + subject + "' not found.");
            case ApiError.VERSION_NOT_FOUND -> ApiError.notFound(ApiError.VERSION_NOT_FOUND,
                    "Version " + version + " not found for subject '" + subject + "'.");
            case ApiError.SCHEMA_NOT_FOUND -> ApiError.notFound(ApiError.SCHEMA_NOT_FOUND,
                    "Schema not found under subject '" + subject + "'.");
            // InMemorySchemaRegistry's 409 names the subject and the kind and place of each problem, not schemas.
            case 409 -> new ApiError(409, 409, e.getMessage());
            default -> e;
        };
    }

    // -------------------------------------------------------------------------------------------------------- HTTP

    private JsonNode readJson(HttpExchange exchange) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!ACCEPTED_CONTENT_TYPES.contains(mediaType)) {
                throw new ApiError(415, 415, "HTTP 415 Unsupported Media Type: send application/json, "
                        + "application/vnd.schemaregistry.v1+json or application/vnd.schemaregistry+json");
            }
        }
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiError(413, 413, "request body larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode body;
        try {
            body = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, 400, "request body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, 400, "request body must be a JSON object");
        }
        return body;
    }

    /** The path's segments, each percent-decoded on its own so that {@code %2F} stays inside a subject. */
    static List<String> segments(String rawPath) {
        String path = rawPath == null ? "" : rawPath;
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty()) {
            return List.of();
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw unknownPath();
            }
            segments.add(decode(segment));
        }
        return segments;
    }

    private static String decode(String text) {
        try {
            // URLDecoder decodes forms, where '+' is a space; in a path it is a plus.
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, 400, "malformed percent-encoding in the request path");
        }
    }

    private static boolean queryFlag(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return false;
        }
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            if (decode(kv[0]).equals(name)) {
                return kv.length == 1 || decode(kv[1]).equalsIgnoreCase("true");
            }
        }
        return false;
    }

    private static ApiError unknownPath() {
        return ApiError.notFound(404, "HTTP 404 Not Found");
    }

    private void write(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", ConfluentRegistryServer.CONTENT_TYPE);
        if (response.allow() != null) {
            exchange.getResponseHeaders().set("Allow", response.allow());
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        byte[] bytes = mapper.writeValueAsBytes(response.body());
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, Object> errorBody(int errorCode, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", errorCode);
        body.put("message", message);
        return body;
    }

    private record Response(int status, Object body, String allow) {

        static Response ok(Object body) {
            return new Response(200, body, null);
        }

        static Response error(ApiError error) {
            return new Response(error.status(), errorBody(error.errorCode(), error.getMessage()), null);
        }
    }
}
