package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The retry and failover policy on its own: which URL is asked when, how many times, and with which pauses in
 * between. The registry is scripted per host (no network) and pauses are recorded instead of waited out.
 */
class UrlFailoverTest {

    private static final List<URI> URLS = List.of(URI.create("http://a:8081"), URI.create("http://b:8081"),
            URI.create("http://c:8081/apis/ccompat/v7"));
    private static final RegistryCall CALL = RegistryCall.get(RegistryCall.Endpoint.SCHEMA_BY_ID, "/schemas/ids/7",
            null, "no schema with id 7");

    /** Hosts in the order they were asked. */
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    private final List<Duration> pauses = new ArrayList<>();
    /** What each host answers now: a status and body, or null for a connection failure. */
    private final Map<String, Function<Integer, ScriptedHttpClient.Reply>> hosts = new HashMap<>();

    @Test
    void shouldTryTheUrlsInTheirOrderUntilOneAnswers() {
        down("a");
        answering("b", 503, "{\"error_code\": 50003, \"message\": \"forwarding failed\"}");
        answering("c", 200, "{}");

        UrlFailover.Answer answer = failover(3, Duration.ofMillis(100)).send(CALL);

        assertThat(asked).containsExactly("a", "b", "c");
        assertThat(answer.base()).isEqualTo(URLS.get(2));
        assertThat(answer.response().statusCode()).isEqualTo(200);
        assertThat(pauses).as("no pause within an attempt").isEmpty();
    }

    @Test
    void shouldStartTheNextCallWithTheUrlThatAnsweredLastAndWrapAround() {
        down("a");
        down("b");
        answering("c", 200, "{}");
        UrlFailover failover = failover(3, Duration.ZERO);
        failover.send(CALL);
        asked.clear();

        failover.send(CALL);
        assertThat(asked).containsExactly("c");

        down("c");
        answering("a", 200, "{}");
        asked.clear();
        failover.send(CALL);
        assertThat(asked).containsExactly("c", "a");
    }

    @Test
    void shouldTakeARefusalAsTheAnswerWithoutAskingAnotherUrl() {
        answering("a", 404, "{\"error_code\": 40403, \"message\": \"Schema not found\"}");

        UrlFailover.Answer answer = failover(3, Duration.ofMillis(100)).send(CALL);

        assertThat(answer.response().statusCode()).isEqualTo(404);
        assertThat(asked).containsExactly("a");
        assertThat(pauses).isEmpty();
    }

    @Test
    void shouldSpendTheWholeBudgetOfAttemptsOnEveryUrlAndPauseOnlyBetweenAttempts() {
        URLS.forEach(url -> answering(url.getHost(), 503, "{}"));

        assertThatThrownBy(() -> failover(3, Duration.ofMillis(100)).send(CALL))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema registry unavailable: GET /schemas/ids/7 failed 3 attempt(s) on"
                        + " [http://a:8081, http://b:8081, http://c:8081]");

        assertThat(asked).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c");
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void shouldDoubleThePauseUpToTenSecondsButKeepALongerConfiguredOne() {
        URLS.forEach(url -> down(url.getHost()));

        catchThrowableOfType(SchemaRegistryException.class, () -> failover(5, Duration.ofSeconds(3)).send(CALL));
        assertThat(pauses).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofSeconds(10),
                Duration.ofSeconds(10));

        pauses.clear();
        catchThrowableOfType(SchemaRegistryException.class, () -> failover(3, Duration.ofSeconds(30)).send(CALL));
        assertThat(pauses).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30));

        assertThat(UrlFailover.nextBackoff(Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(UrlFailover.nextBackoff(Duration.ofMillis(5_001))).isEqualTo(UrlFailover.MAX_BACKOFF);
    }

    @Test
    void shouldGiveUpWithTheLastFailuresCodeAndCause() {
        answering("a", 503, "{\"error_code\": 50003, \"message\": \"forwarding failed\"}");
        down("b");
        answering("c", 500, "{\"error_code\": 50001, \"message\": \"backend data store\"}");

        SchemaRegistryException serverError = catchThrowableOfType(SchemaRegistryException.class,
                () -> failover(1, Duration.ZERO).send(CALL));

        assertThat(serverError.errorCode()).isEqualTo(50001);
        assertThat(serverError).hasMessageEndingWith("; last: HTTP 500 from http://c:8081: backend data store")
                .hasCauseInstanceOf(SchemaRegistryException.class);

        answering("c", -1, "timed out");
        SchemaRegistryException timeout = catchThrowableOfType(SchemaRegistryException.class,
                () -> failover(1, Duration.ZERO).send(CALL));

        assertThat(timeout.errorCode()).isEqualTo(ConfluentRegistryClient.UNAVAILABLE);
        assertThat(timeout).hasMessageEndingWith("; last: HttpTimeoutException timed out")
                .hasCauseInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void shouldStopAtOnceAndKeepTheInterruptFlagWhenInterruptedDuringAPause() {
        URLS.forEach(url -> answering(url.getHost(), 503, "{}"));
        UrlFailover failover = new UrlFailover(URLS, 5, Duration.ofSeconds(1), transport(), pause -> {
            pauses.add(pause);
            throw new InterruptedException("stop");
        });
        try {
            assertThatThrownBy(() -> failover.send(CALL)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessage("interrupted while retrying schema registry call GET /schemas/ids/7")
                    .hasCauseInstanceOf(InterruptedException.class)
                    .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                            .isEqualTo(ConfluentRegistryClient.UNAVAILABLE));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(asked).as("one attempt, then the interrupted pause").hasSize(3);
        assertThat(pauses).hasSize(1);
    }

    @Test
    void shouldRefuseAnEmptyListOrNoAttempts() {
        assertThatThrownBy(() -> new UrlFailover(List.of(), 1, Duration.ZERO, transport(), UrlFailover.Sleeper.THREAD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UrlFailover(URLS, 0, Duration.ZERO, transport(), UrlFailover.Sleeper.THREAD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private UrlFailover failover(int maxAttempts, Duration backoff) {
        return new UrlFailover(URLS, maxAttempts, backoff, transport(), pauses::add);
    }

    private RegistryTransport transport() {
        return new RegistryTransport(new ScriptedHttpClient(this::answer), Duration.ofSeconds(1),
                RegistryAuthentication.NONE);
    }

    private ScriptedHttpClient.Reply answer(HttpRequest request) throws IOException {
        String host = request.uri().getHost();
        asked.add(host);
        ScriptedHttpClient.Reply reply = hosts.get(host).apply(asked.size());
        if (reply == null) {
            throw new ConnectException("Connection refused: " + host);
        }
        if (reply.status() < 0) {
            throw new HttpTimeoutException(new String(reply.body(), StandardCharsets.UTF_8));
        }
        return reply;
    }

    private void answering(String host, int status, String body) {
        hosts.put(host, n -> new ScriptedHttpClient.Reply(status, body.getBytes(StandardCharsets.UTF_8)));
    }

    private void down(String host) {
        hosts.put(host, n -> null);
    }
}
