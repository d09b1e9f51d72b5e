package io.pipelinesecrets.serde.registry.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Whatever goes wrong, the {@code Authorization} header's value (a bearer token, or basic credentials and their
 * base64 form) appears in no log line the client writes, at any level, and in no exception it raises: the
 * client's logger is turned to TRACE and every line, argument and stack trace is searched.
 */
class RegistryCredentialsNotLoggedTest {

    private static final String TOKEN = "eyJ0b2tlbiI6InNlY3JldCJ9.tok-5d2c";
    private static final String PASSWORD = "pw-hunter2-8b1e";
    private static final String BASIC = Base64.getEncoder()
            .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").endRecord();
    /** Plain http on purpose: the client warns that credentials go unencrypted, and that line must not show them. */
    private static final List<URI> URLS = List.of(URI.create("http://a.invalid:8081"), URI.create("http://b.invalid"));

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger clientLogger = (Logger) LoggerFactory.getLogger(ConfluentRegistryClient.class);
    private Level levelBefore;

    @BeforeEach
    void captureLogs() {
        levelBefore = clientLogger.getLevel();
        clientLogger.setLevel(Level.TRACE);
        logs.start();
        clientLogger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        clientLogger.detachAppender(logs);
        clientLogger.setLevel(levelBefore);
    }

    @Test
    void shouldNeverLogOrThrowTheBearerToken() {
        List<String> thrown = exerciseEveryFailure(new RegistryAuthentication.Bearer(TOKEN));

        assertThat(logged()).as("the client did log (warning, retries)").hasSizeGreaterThan(3)
                .noneMatch(line -> line.contains(TOKEN));
        assertThat(thrown).hasSize(4).noneMatch(text -> text.contains(TOKEN));
    }

    @Test
    void shouldNeverLogOrThrowBasicCredentials() {
        List<String> thrown = exerciseEveryFailure(RegistryAuthentication.basicUserInfo("alice:" + PASSWORD));

        assertThat(logged()).hasSizeGreaterThan(3)
                .noneMatch(line -> line.contains(PASSWORD) || line.contains(BASIC));
        assertThat(thrown).hasSize(4).noneMatch(text -> text.contains(PASSWORD) || text.contains(BASIC));
    }

    /**
     * Unreachable, 5xx, 401 and 403 in turn, through the retries and over both URLs; the text of each exception
     * raised, causes and stack traces included.
     */
    private List<String> exerciseEveryFailure(RegistryAuthentication authentication) {
        AtomicInteger request = new AtomicInteger();
        ScriptedHttpClient http = new ScriptedHttpClient(sent -> {
            assertThat(sent.headers().firstValue("Authorization")).as("credentials are sent").isPresent();
            return switch (request.incrementAndGet() % 4) {
                case 1 -> throw new ConnectException("Connection refused");
                case 2 -> reply(503, "{\"error_code\": 50003, \"message\": \"Error while forwarding the request\"}");
                case 3 -> reply(401, "{\"error_code\": 40101, \"message\": \"Unauthorized\"}");
                default -> reply(403, "<html>Forbidden</html>");
            };
        });
        ConfluentRegistryClient client = new ConfluentRegistryClient(new ConfluentRegistryClient.Settings(URLS,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 2, Duration.ofMillis(1), authentication, null), http);

        List<String> thrown = new ArrayList<>();
        thrown.add(textOf(catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(1))));
        thrown.add(textOf(catchThrowableOfType(SchemaRegistryException.class, () -> client.register("s-value", SCHEMA))));
        thrown.add(textOf(catchThrowableOfType(SchemaRegistryException.class,
                () -> client.compatibilityLevel(Optional.of("s-value")))));
        thrown.add(textOf(catchThrowableOfType(SchemaRegistryException.class, () -> client.isCompatible("s-value", SCHEMA))));
        return thrown;
    }

    /** Every captured line: its formatted message, its raw arguments and any stack trace it carries. */
    private List<String> logged() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : logs.list) {
            StringBuilder line = new StringBuilder(event.getFormattedMessage());
            if (event.getArgumentArray() != null) {
                for (Object argument : event.getArgumentArray()) {
                    line.append(' ').append(argument);
                }
            }
            for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
                line.append(' ').append(cause.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static ScriptedHttpClient.Reply reply(int status, String body) {
        return new ScriptedHttpClient.Reply(status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String textOf(Throwable failure) {
        assertThat(failure).isNotNull();
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
