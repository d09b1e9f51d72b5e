package io.pipelinesecrets.serde.registry.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Sends one request to one registry URL and reads its answer as text: within the request timeout (from sending to
 * the end of the answer), no more than {@link #MAX_ANSWER_BYTES} of it, with Confluent's content type and the
 * configured {@code Authorization} header. It retries nothing and judges no status: {@link UrlFailover} does.
 * Thread-safe: one {@link HttpClient} is shared.
 */
final class RegistryTransport {

    /** The largest answer read: schemas and id lists are kilobytes; anything far larger is not a registry's. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    private final HttpClient http;
    private final Duration requestTimeout;
    private final RegistryAuthentication authentication;

    RegistryTransport(HttpClient http, Duration requestTimeout, RegistryAuthentication authentication) {
        this.http = Objects.requireNonNull(http, "http");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.authentication = Objects.requireNonNull(authentication, "authentication");
    }

    /**
     * An HTTP client that opens connections within the timeout and trusts the store's certificates (null: the
     * JDK's). Host names are verified.
     *
     * @throws IllegalArgumentException if the trust store cannot be read
     */
    static HttpClient httpClient(Duration connectTimeout, RegistryTrustStore trustStore) {
        // HTTP/1.1: no h2c upgrade dance with proxies on plain http; the registry's answers are small.
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout);
        if (trustStore != null) {
            builder.sslContext(trustStore.sslContext());
        }
        return builder.build();
    }

    /**
     * The registry's answer, whatever its status.
     *
     * @throws IOException          if no answer came: connection refused or reset, TLS refused, the timeout
     *                              ({@link java.net.http.HttpTimeoutException}), an answer over the size limit
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    HttpResponse<String> send(URI base, RegistryCall call) throws IOException, InterruptedException {
        return http.send(request(base, call), BoundedBody.ofString(MAX_ANSWER_BYTES));
    }

    private HttpRequest request(URI base, RegistryCall call) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(RegistryUrls.resolve(base, call))
                .timeout(requestTimeout)
                .header("Accept", ConfluentRegistryClient.CONTENT_TYPE);
        authentication.authorizationHeader().ifPresent(value -> builder.header("Authorization", value));
        if (call.body() == null) {
            return builder.GET().build();
        }
        return builder.header("Content-Type", ConfluentRegistryClient.CONTENT_TYPE)
                .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8)).build();
    }
}
