package io.pipelinesecrets.serde.registry.http;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** One request as the transport builds it: its deadline, address, method, headers and body length. */
class RegistryTransportTest {

    private static final URI BASE = URI.create("https://registry.invalid:8081/apis/ccompat/v7/");
    private static final RegistryCall GET = RegistryCall.get(RegistryCall.Endpoint.SCHEMA_BY_ID, "/schemas/ids/7",
            null, "no schema with id 7");
    private static final RegistryCall PUT = new RegistryCall(RegistryCall.Endpoint.SET_CONFIG, "PUT",
            "/config/a%20b", "{\"compatibility\":\"FULL\"}", "a b", "FULL");

    private final List<HttpRequest> sent = new ArrayList<>();
    private final ScriptedHttpClient http = new ScriptedHttpClient(request -> {
        sent.add(request);
        return new ScriptedHttpClient.Reply(200, "{\"ok\": true}".getBytes(StandardCharsets.UTF_8));
    });

    @Test
    void shouldGiveEveryRequestTheRequestTimeoutAsItsDeadline() throws Exception {
        RegistryTransport transport = new RegistryTransport(http, Duration.ofMillis(750), RegistryAuthentication.NONE);

        transport.send(BASE, GET);
        transport.send(BASE, PUT);

        assertThat(sent).extracting(HttpRequest::timeout)
                .containsExactly(Optional.of(Duration.ofMillis(750)), Optional.of(Duration.ofMillis(750)));
    }

    @Test
    void shouldAddressThePathUnderTheBaseUrlsPathAndReturnTheAnswerAsText() throws Exception {
        RegistryTransport transport = new RegistryTransport(http, Duration.ofSeconds(1), RegistryAuthentication.NONE);

        assertThat(transport.send(BASE, GET).body()).isEqualTo("{\"ok\": true}");
        transport.send(URI.create("http://registry.invalid"), PUT);

        assertThat(sent).extracting(HttpRequest::uri).containsExactly(
                URI.create("https://registry.invalid:8081/apis/ccompat/v7/schemas/ids/7"),
                URI.create("http://registry.invalid/config/a%20b"));
    }

    @Test
    void shouldSendAGetWithoutBodyAndOtherMethodsWithConfluentsContentType() throws Exception {
        RegistryTransport transport = new RegistryTransport(http, Duration.ofSeconds(1), RegistryAuthentication.NONE);

        transport.send(BASE, GET);
        transport.send(BASE, PUT);

        HttpRequest get = sent.get(0);
        HttpRequest put = sent.get(1);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.headers().firstValue("Accept")).contains(ConfluentRegistryClient.CONTENT_TYPE);
        assertThat(get.headers().firstValue("Content-Type")).isEmpty();
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.headers().firstValue("Content-Type")).contains(ConfluentRegistryClient.CONTENT_TYPE);
        assertThat(put.bodyPublisher()).get().extracting(HttpRequest.BodyPublisher::contentLength)
                .isEqualTo((long) PUT.body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void shouldSendTheConfiguredAuthorizationHeaderAndNoneWithoutCredentials() throws Exception {
        new RegistryTransport(http, Duration.ofSeconds(1), new RegistryAuthentication.Bearer("tok-1")).send(BASE, GET);
        new RegistryTransport(http, Duration.ofSeconds(1), RegistryAuthentication.basicUserInfo("alice:pw:1"))
                .send(BASE, GET);
        new RegistryTransport(http, Duration.ofSeconds(1), RegistryAuthentication.NONE).send(BASE, GET);

        assertThat(sent).extracting(request -> request.headers().firstValue("Authorization")).containsExactly(
                Optional.of("Bearer tok-1"), Optional.of("Basic YWxpY2U6cHc6MQ=="), Optional.empty());
    }
}
