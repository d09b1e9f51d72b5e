package io.pipelinesecrets.testing.aws;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;

/**
 * The AWS JSON 1.1 protocol: {@code POST /} with {@code X-Amz-Target: secretsmanager.<Operation>} and a JSON body;
 * answers 200 with a JSON body, or an error status with {@code {"__type": code, "Message": ...}}. Signatures are
 * not checked. Every request is counted, then meets the injected faults, then reaches the operation.
 * Logs operation, status and error code, never a request or response body.
 */
final class JsonProtocolHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(JsonProtocolHandler.class);
    private static final String TARGET_PREFIX = "secretsmanager.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private record Answer(int status, ObjectNode body) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final SecretsManagerApi api;
    private final Faults faults;
    private final RequestStats stats;

    JsonProtocolHandler(SecretsManagerApi api, Faults faults, RequestStats stats) {
        this.api = api;
        this.faults = faults;
        this.stats = stats;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String operation = operation(exchange);
            Answer answer = answer(exchange, operation, body);
            LOG.debug("{} -> {} {}", operation, answer.status(), answer.body().path("__type").asText(""));
            send(exchange, answer);
        } catch (IOException e) {
            LOG.debug("client went away before the answer was sent: {}", e.toString());
        }
    }

    private Answer answer(HttpExchange exchange, String operation, byte[] body) {
        try {
            if (!"POST".equals(exchange.getRequestMethod()) || operation == null || !api.supports(operation)) {
                stats.recordRequest(operation == null ? "(none)" : operation);
                throw ServiceError.badRequest("UnknownOperationException", "The double does not support "
                        + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " with X-Amz-Target "
                        + exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            }
            stats.recordRequest(operation);
            JsonNode request = parse(body);
            applyFaults(operation, request);
            return new Answer(200, api.invoke(operation, request));
        } catch (ServiceError e) {
            if ("ThrottlingException".equals(e.code())) {
                stats.recordThrottled(operation);
            }
            return new Answer(e.status(), Responses.error(e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            // A bug in the double; the message is ours and carries no value, so it may be logged.
            LOG.warn("{} failed unexpectedly", operation, e);
            return new Answer(500, Responses.error("InternalServiceError", "The double failed: " + e));
        }
    }

    private void applyFaults(String operation, JsonNode request) {
        try {
            faults.apply(operation);
        } catch (ServiceError fault) {
            if (operation.equals(Operations.CREATE_SECRET) || operation.equals(Operations.DELETE_SECRET)) {
                api.recordFailedCall(operation, request, fault);
            }
            throw fault;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ServiceError.internal("The double is shutting down.");
        }
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode request = mapper.readTree(body);
            if (request == null || !request.isObject()) {
                throw ServiceError.serialization("The request body must be a JSON object.");
            }
            return request;
        } catch (JacksonException e) {
            // Jackson's message may quote the body, and the body may hold a secret value: not passed on.
            throw ServiceError.serialization("The request body is not valid JSON.");
        } catch (IOException e) {
            throw ServiceError.serialization("The request body could not be read.");
        }
    }

    private static String operation(HttpExchange exchange) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        return target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : null;
    }

    private void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(answer.body());
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
