package io.pipelinesecrets.testing.registry;

import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.net.FreePorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Confluent-compatible schema registry for tests: Apicurio Registry (in-memory storage), unpacked from
 * Maven Central by the build into {@code -Dapicurio.home} and started once per JVM on a free loopback port, with
 * compatibility set to BACKWARD (Apicurio's default is NONE; Confluent's is BACKWARD). Stopped when the JVM
 * exits. About 5 s to start and 220 MB of memory.
 */
public final class ApicurioRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static ApicurioRegistry shared;

    private final Process process;
    private final String url;

    private ApicurioRegistry(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /** The JVM's registry, started on first use. */
    public static synchronized ApicurioRegistry shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "apicurio-stop"));
        }
        return shared;
    }

    /** The Confluent-compatible API's base URL, what {@code schema.registry.url} takes. */
    public String confluentUrl() {
        return url + "/apis/ccompat/v7";
    }

    private static ApicurioRegistry start() {
        Path home = Path.of(System.getProperty("apicurio.home", "target/apicurio"));
        String version = System.getProperty("apicurio.version", "2.6.13.Final");
        Path runner = home.resolve("apicurio-registry-app-" + version + "-runner.jar");
        if (!Files.exists(runner)) {
            throw new IllegalStateException(runner + " is missing: the build unpacks Apicurio Registry before the"
                    + " integration tests (maven-dependency-plugin, execution unpack-apicurio-registry)");
        }
        int port = FreePorts.next();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long started = System.nanoTime();
        try {
            Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port, "-Dquarkus.log.level=WARN",
                    "-jar", runner.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(home.resolve("apicurio.log").toFile())
                    .start();
            ApicurioRegistry registry = new ApicurioRegistry(process, "http://127.0.0.1:" + port);
            registry.awaitReady();
            registry.put("/config", "{\"compatibility\":\"BACKWARD\"}");
            LOG.info("Apicurio Registry {} ready at {} in {} ms", version, registry.confluentUrl(),
                    (System.nanoTime() - started) / 1_000_000);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio Registry from " + runner, e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        try {
            // Connection refused while it starts: not yet. An exit ends the wait at once.
            Await.atMost(START_TIMEOUT).every(Duration.ofMillis(200)).ignoring(IOException.class)
                    .until("Apicurio Registry to answer GET /subjects with 200", () -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue()
                                    + "; see apicurio.log");
                        }
                        return http.send(HttpRequest.newBuilder(URI.create(confluentUrl() + "/subjects"))
                                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    }, response -> response.statusCode() == 200, response -> response.statusCode() + " " + response.body());
        } catch (AssertionError | RuntimeException e) {
            stop();
            throw e;
        }
    }

    private void put(String path, String json) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(confluentUrl() + path))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
