package io.pipelinesecrets.serde.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.HttpResponse;

/**
 * The registry's side of a failed request, as Confluent writes it ({@code {"error_code", "message"}}, the message
 * cut to {@value #MAX_MESSAGE_CHARS} characters), or the HTTP status and no message if the body is not that.
 */
record ErrorAnswer(int code, String message) {

    static final int MAX_MESSAGE_CHARS = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    static ErrorAnswer of(HttpResponse<String> response) {
        try {
            JsonNode body = JSON.readTree(response.body());
            if (body != null && body.path("error_code").canConvertToInt()) {
                String message = body.path("message").asText("");
                return new ErrorAnswer(body.get("error_code").asInt(), message.length() > MAX_MESSAGE_CHARS
                        ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message);
            }
        } catch (JsonProcessingException e) {
            // e.g. a proxy's HTML page: not quoted, the status says enough
        }
        return new ErrorAnswer(response.statusCode(), "");
    }

    /** {@code ": message"}, or nothing without a message: the tail of an exception's message. */
    String suffix() {
        return message.isEmpty() ? "" : ": " + message;
    }
}
