package io.pipelinesecrets.lifecycle.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.it.LogCapture;
import io.pipelinesecrets.lifecycle.metrics.ServiceMetrics;
import io.pipelinesecrets.lifecycle.run.EntryStatus;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admin HTTP on a real JDK server on port 0, asked by the JDK HTTP client: who may read tenant data
 * ({@code /runs}), what stays open (health), what the {@code /metrics} setting changes, and what a refused
 * request is told — never the token, never the data.
 */
class AdminServerTest {

    private static final String TOKEN = "s3cr3t-admin-token-0123456789abcdef";
    private static final String RUN = "/runs/run-1";
    private static final String CHALLENGE = "Bearer realm=\"pipeline-secrets-admin\"";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final ServiceMetrics metrics = ServiceMetrics.create(Clock.systemUTC());
    private final List<HttpResponse<String>> responses = new ArrayList<>();
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        metrics.close();
    }

    // ---- /runs needs the token

    @Test
    void shouldServeARunsStateToTheAdminToken() throws IOException {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        HttpResponse<String> response = get(RUN, "Bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("phase").asText()).isEqualTo("ACTIVE");
        assertThat(response.body()).contains("ws-tenant", "user-tenant", "DB_PASSWORD");
    }

    @Test
    void shouldRefuseARunWithoutAnAuthorizationHeaderWithABearerChallenge() throws IOException {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        HttpResponse<String> response = get(RUN, null);

        assertRefused(response);
        assertThat(JSON.readTree(response.body()).get("detail").asText()).contains("Authorization: Bearer");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "s3cr3t-admin-token-0123456789abcdeF",     // same length, last character differs
            "S3CR3T-ADMIN-TOKEN-0123456789ABCDEF",     // the token is case-sensitive, unlike the scheme
            "s3cr3t-admin-token-0123456789abcde",      // a prefix
            "s3cr3t-admin-token-0123456789abcdef0",    // one character more
            "x",
    })
    void shouldRefuseAWrongTokenWhateverItsLength(String presented) throws IOException {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        HttpResponse<String> response = get(RUN, "Bearer " + presented);

        assertRefused(response);
        assertThat(JSON.readTree(response.body()).get("detail").asText()).isEqualTo("the bearer token is not the admin token");
    }

    /** RFC 7235 section 2.1: the scheme is a case-insensitive token; curl users write it every way. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
    void shouldAcceptTheBearerSchemeInAnyCase(String scheme) {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        assertThat(get(RUN, scheme + " " + TOKEN).statusCode()).isEqualTo(200);
    }

    /**
     * RFC 7230's optional whitespace around a header value, and 1*SP after the scheme, are not part of the token.
     * The JDK server itself drops trailing whitespace and reads a tab in a value as a space.
     */
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Bearer   " + TOKEN, "Bearer " + TOKEN + "  ", "Bearer " + TOKEN + "\t", "Bearer\t" + TOKEN})
    void shouldIgnoreWhitespaceAroundTheToken(String credentials) {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        assertThat(get(RUN, credentials).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            TOKEN,                                   // no scheme
            "Bearer" + TOKEN,                        // no space after the scheme
            "Bearer",
            "Bearer ",
            "Bearer s3cr3t-admin-token 0123456789abcdef",   // whitespace inside
            "Bearer " + TOKEN + " " + TOKEN,
            "Basic YWRtaW46czNjcjN0LWFkbWluLXRva2VuLTAxMjM0NTY3ODlhYmNkZWY=",   // admin:<token>
            "Token " + TOKEN,
    })
    void shouldRefuseCredentialsThatAreNotExactlyABearerToken(String credentials) {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        assertRefused(get(RUN, credentials));
    }

    @Test
    void shouldRefuseAHeaderOver4KiBBeforeDoingAnythingWithIt() throws IOException {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        HttpResponse<String> huge = get(RUN, "Bearer " + "A".repeat(64 * 1024));
        HttpResponse<String> tokenThenJunk = get(RUN, "Bearer " + TOKEN + "A".repeat(64 * 1024));
        HttpResponse<String> tokenInsideJunk = get(RUN, "Bearer " + "A".repeat(32 * 1024) + " " + TOKEN);

        for (HttpResponse<String> response : List.of(huge, tokenThenJunk, tokenInsideJunk)) {
            assertRefused(response);
            assertThat(JSON.readTree(response.body()).get("detail").asText()).contains("longer than 4096");
        }
        assertThat(get(RUN, "Bearer " + TOKEN).statusCode()).as("the server still answers").isEqualTo(200);
    }

    @Test
    void shouldRefuseSeveralAuthorizationHeadersEvenWhenOneHoldsTheToken() throws IOException {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        HttpResponse<String> response = send(request(RUN).header("Authorization", "Bearer wrong-token-wrong-token")
                .header("Authorization", "Bearer " + TOKEN));

        assertRefused(response);
        assertThat(JSON.readTree(response.body()).get("detail").asText()).contains("one Authorization header");
    }

    @Test
    void shouldAuthenticateBeforeLookingAtTheRunId() {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        assertRefused(get("/runs/not%2Fa%2Frun", null));
        assertRefused(get("/runs/unknown-run", null));
        assertThat(get("/runs/not%2Fa%2Frun", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/runs/unknown-run", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
    }

    // ---- no token configured: /runs is off

    @Test
    void shouldAnswerRunsWith403NamingTheSettingsWhenNoTokenIsConfigured() throws IOException {
        start(AdminAccess.NO_TOKEN);

        HttpResponse<String> anonymous = get(RUN, null);
        HttpResponse<String> withSomeToken = get(RUN, "Bearer " + TOKEN);

        for (HttpResponse<String> response : List.of(anonymous, withSomeToken)) {
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(response.body()).get("detail").asText())
                    .contains("/runs is off", "admin.token-file", "PIPELINE_SECRETS_ADMIN_TOKEN");
            assertThat(response.body()).doesNotContain("ws-tenant", "DB_PASSWORD", TOKEN);
        }
    }

    // ---- health and metrics

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/health", "/health/live", "/health/ready"})
    void shouldKeepHealthOpenForProbesWithoutAToken(String path) {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        assertThat(get(path, null).statusCode()).isEqualTo(200);
        assertThat(get(path, "Bearer wrong-token-wrong-token").statusCode()).as("a wrong token does not matter").isEqualTo(200);
    }

    @Test
    void shouldServeMetricsWithoutATokenByDefault() {
        start(AdminAccess.withToken(AdminToken.of(TOKEN)));

        HttpResponse<String> response = get("/metrics", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(ServiceMetrics.CONTENT_TYPE);
    }

    @Test
    void shouldServeMetricsWithoutATokenWhenNoneIsConfigured() {
        start(AdminAccess.NO_TOKEN);

        assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRequireTheTokenForMetricsWhenConfiguredTo() {
        start(new AdminAccess(Optional.of(AdminToken.of(TOKEN)), true));

        assertRefused(get("/metrics", null));
        assertRefused(get("/metrics", "Bearer not-the-admin-token-at-all"));
        assertThat(get("/metrics", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/health/ready", null).statusCode()).as("health stays open").isEqualTo(200);
    }

    // ---- the token never leaves

    @Test
    void shouldNeverPutTheTokenInAResponseOrALogLine() {
        Logger admin = (Logger) LoggerFactory.getLogger("io.pipelinesecrets.lifecycle.admin");
        Level level = admin.getLevel();
        admin.setLevel(Level.TRACE);
        try (LogCapture logs = LogCapture.attach()) {
            start(new AdminAccess(Optional.of(AdminToken.of(TOKEN)), true));
            String nearMiss = TOKEN.substring(0, TOKEN.length() - 1) + "X";
            for (String path : List.of(RUN, "/runs/unknown-run", "/runs/%2e%2e", "/metrics", "/health", "/nowhere")) {
                for (String credentials : new String[] {null, "Bearer " + TOKEN, "bearer " + TOKEN, "Bearer " + nearMiss,
                        "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN + " ".repeat(5000), "Bearer " + TOKEN + TOKEN}) {
                    get(path, credentials);
                }
            }
            server.close();
            server = null;

            assertThat(responses).hasSizeGreaterThan(40);
            assertThat(responses).allSatisfy(response -> {
                assertThat(response.body()).doesNotContain(TOKEN, nearMiss);
                assertThat(response.headers().map().toString()).doesNotContain(TOKEN, nearMiss);
            });
            assertThat(logs.lines()).as("log lines, at TRACE").anyMatch(line -> line.contains("refused"))
                    .noneMatch(line -> line.contains(TOKEN) || line.contains(nearMiss));
        } finally {
            admin.setLevel(level);
        }
    }

    // ---- helpers

    private void start(AdminAccess access) {
        try {
            server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), FakeService::new, metrics, access);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    /** GET with this Authorization header value, or none when null. */
    private HttpResponse<String> get(String path, String authorization) {
        HttpRequest.Builder request = request(path);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            responses.add(response);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** 401 with the challenge, a JSON error and none of the run's data. */
    private static void assertRefused(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("status; body %s", response.body()).isEqualTo(401);
        assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        try {
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("error").asText()).isEqualTo("unauthorized");
        } catch (IOException e) {
            throw new AssertionError("the 401 body is not JSON: " + response.body(), e);
        }
        assertThat(response.body()).doesNotContain("ws-tenant", "user-tenant", "DB_PASSWORD", "ACTIVE", TOKEN);
    }

    /** A running service holding one run, whose state carries tenant data. */
    private static final class FakeService implements ServiceView {
        private static final Instant LAUNCHED = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public boolean alive() {
            return true;
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public String describeState() {
            return "lifecycle RUNNING, secret validation RUNNING";
        }

        @Override
        public Optional<RunState> run(String runId) {
            if (!runId.equals("run-1")) {
                return Optional.empty();
            }
            RunTarget target = new RunTarget(runId, "ws-tenant", "user-tenant", "ce-1", "slurm", null, null, "/shared/secrets");
            return Optional.of(new RunState(runId, Phase.ACTIVE,
                    new RunOrigin(target, "filesystem", "launch-" + runId, LAUNCHED, null), RunEnding.NOT_YET,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 1, EntryStatus.CREATED,
                            "/shared/secrets/run-1/store.json", null)),
                    new OperationProgress(1, false, null, 0, LAUNCHED), null, null, LAUNCHED));
        }
    }
}
