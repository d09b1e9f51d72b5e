package io.pipelinesecrets.testing.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where test clusters run. {@code -Dkafka.tests.backend=embedded|testcontainers} forces one; the default,
 * {@code auto}, uses Testcontainers when a Docker engine answers within {@link #DOCKER_PROBE_TIMEOUT} and the
 * in-JVM test kit otherwise. The probe has its own deadline because a Docker socket that accepts connections but
 * never answers would otherwise hang the test run.
 */
public enum KafkaTestBackend {
    EMBEDDED,
    TESTCONTAINERS;

    public static final String PROPERTY = "kafka.tests.backend";
    static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTestBackend.class);

    public static KafkaTestBackend selected() {
        String requested = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (requested) {
            case "embedded" -> EMBEDDED;
            case "testcontainers" -> TESTCONTAINERS;
            case "auto", "" -> dockerAnswers() ? TESTCONTAINERS : EMBEDDED;
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + requested + " is not one of embedded, testcontainers, auto");
        };
    }

    KafkaTestCluster start(int brokers) {
        return switch (this) {
            case EMBEDDED -> EmbeddedTestCluster.start(brokers);
            case TESTCONTAINERS -> ContainerTestCluster.start(brokers);
        };
    }

    private static boolean dockerAnswers() {
        ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "docker-probe");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<Boolean> available = probe.submit(() -> DockerClientFactory.instance().isDockerAvailable());
            boolean answer = available.get(DOCKER_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Docker engine {}", answer ? "answers: tests use Testcontainers" : "not found: tests use the in-JVM cluster");
            return answer;
        } catch (TimeoutException e) {
            LOG.info("Docker engine did not answer within {}: tests use the in-JVM cluster", DOCKER_PROBE_TIMEOUT);
            return false;
        } catch (ExecutionException e) {
            LOG.info("Docker probe failed ({}): tests use the in-JVM cluster", e.getCause().toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            probe.shutdownNow();
        }
    }
}
