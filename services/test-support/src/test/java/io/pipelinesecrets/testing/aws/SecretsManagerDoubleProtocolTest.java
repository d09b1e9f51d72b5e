package io.pipelinesecrets.testing.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON 1.1 wire format as seen without the SDK: targets, error bodies, timestamps. */
@Timeout(60)
class SecretsManagerDoubleProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SecretsManagerDouble sm;
    private HttpClient http;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start();
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        sm.close();
    }

    @Test
    void shouldAnswerJsonWithEpochSecondTimestampsAndAGeneratedVersionWhenNoTokenIsSent() throws Exception {
        HttpResponse<String> created = post("secretsmanager.CreateSecret", "{\"Name\":\"raw\",\"SecretString\":\"v\"}");
        HttpResponse<String> described = post("secretsmanager.DescribeSecret", "{\"SecretId\":\"raw\"}");

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.1");
        assertThat(JSON.readTree(created.body()).path("VersionId").asText()).hasSizeBetween(32, 64);
        JsonNode body = JSON.readTree(described.body());
        assertThat(body.path("CreatedDate").isNumber()).isTrue();
        assertThat(body.path("CreatedDate").asDouble()).isGreaterThan(1.7e9);
    }

    @Test
    void shouldAnswerUnknownOperationsWith400() throws Exception {
        HttpResponse<String> response = post("secretsmanager.RotateSecret", "{\"SecretId\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("__type").asText()).isEqualTo("UnknownOperationException");
        assertThat(sm.stats().requests("RotateSecret")).isEqualTo(1);
    }

    @Test
    void shouldAnswerRequestsWithoutATargetWith400() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sm.endpoint() + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("__type").asText()).isEqualTo("UnknownOperationException");
    }

    @Test
    void shouldNotEchoAMalformedBodyThatMayHoldASecret() throws Exception {
        HttpResponse<String> response = post("secretsmanager.CreateSecret",
                "{\"Name\":\"x\",\"SecretString\":\"hunter2\" oops");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.path("__type").asText()).isEqualTo("SerializationException");
        assertThat(error.path("Message").asText()).doesNotContain("hunter2");
    }

    private HttpResponse<String> post(String target, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(sm.endpoint() + "/"))
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", target)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
