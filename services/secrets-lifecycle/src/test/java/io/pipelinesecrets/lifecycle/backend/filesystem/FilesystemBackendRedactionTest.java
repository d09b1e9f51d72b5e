package io.pipelinesecrets.lifecycle.backend.filesystem;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.await;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.readStoreAsMap;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.run;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.secret;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.stored;
import static org.assertj.core.api.Assertions.assertThat;

/** A value reaches the store file and nothing else: not outcomes, error messages or any log line. */
class FilesystemBackendRedactionTest {

    private static final String CANARY = "canary-9d1e4c7a-5b2f-4e8a-b1d3-77c0ffee5eed";
    private static final String PACKAGE = FilesystemBackend.class.getPackageName();

    @TempDir
    Path base;

    private Path root;
    private FilesystemBackend backend;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Level packageLevelBefore;
    private final List<Object> reported = new ArrayList<>();

    @BeforeEach
    void captureEveryLogLine() throws Exception {
        root = Files.createDirectory(base.resolve("root"));
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)));
        Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger packageLogger = (Logger) LoggerFactory.getLogger(PACKAGE);
        packageLevelBefore = packageLogger.getLevel();
        packageLogger.setLevel(Level.TRACE);
        logs.start();
        rootLogger.addAppender(logs);
    }

    @AfterEach
    void restoreLogging() {
        backend.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger(PACKAGE)).setLevel(packageLevelBefore);
    }

    private List<SecretOutcome> provision(RunTarget run, List<Secret> secrets) throws Exception {
        List<SecretOutcome> outcomes = await(backend.provision(run, secrets));
        reported.add(outcomes);
        outcomes.forEach(outcome -> {
            reported.add(outcome);
            if (outcome instanceof SecretOutcome.Failed failed) {
                reported.add(failed.error());
                reported.add(failed.error().message());
            }
        });
        return outcomes;
    }

    @Test
    void shouldNeverPutAValueInOutcomesErrorsOrLogs() throws Exception {
        List<Secret> secrets = List.of(secret("DB_PASSWORD", CANARY), secret("MULTI", "line\n" + CANARY));

        provision(run("ok-run", root), secrets);
        provision(run("outside", "/etc"), secrets);
        provision(run("../escape", root), secrets);
        provision(run("dup-run", root), List.of(secret("A", CANARY), secret("A", CANARY + "-2")));
        provision(run("missing", root.resolve("not-there")), secrets);
        Files.createDirectories(root.resolve("blocked/store.json/in-the-way"));
        provision(run("blocked", root), secrets);
        provision(run("surrogate", root), List.of(secret("ODD", CANARY + "\uD800")));
        Files.createSymbolicLink(root.resolve("linked"), base);
        provision(run("linked", root), secrets);
        reported.addAll(await(backend.release(run("ok-run", root), stored(null, "DB_PASSWORD", "MULTI"))));
        reported.addAll(await(backend.release(run("blocked", root), stored(null, "DB_PASSWORD"))));

        assertThat(reported).isNotEmpty().allSatisfy(item -> assertThat(String.valueOf(item)).doesNotContain(CANARY));
        assertThat(logs.list).as("the scenarios above log").hasSizeGreaterThan(8);
        for (ILoggingEvent event : logs.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(CANARY);
            assertThat(String.valueOf(event.getArgumentArray() == null ? "" : List.of(event.getArgumentArray())))
                    .doesNotContain(CANARY);
            for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                assertThat(String.valueOf(thrown.getMessage())).doesNotContain(CANARY);
            }
        }
    }

    @Test
    void shouldPutTheValueInTheStoreFileOnly() throws Exception {
        List<SecretOutcome> outcomes = provision(run("ok-run", root), List.of(secret("DB_PASSWORD", CANARY)));

        assertThat(readStoreAsMap(root.resolve("ok-run/store.json"))).containsEntry("DB_PASSWORD", CANARY);
        assertThat(outcomes.toString()).doesNotContain(CANARY);
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("ok-run").contains("1 secrets"))
                .noneSatisfy(line -> assertThat(line).contains(CANARY));
    }
}
