package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.testing.net.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's {@code dev} command, as a user runs it: the packaged dev jar in its own JVM, stopped by SIGTERM (what
 * Ctrl-C and container runtimes send), started again on the same data directory.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DevCommandIntegrationTest {

    private static final Path JAR = Path.of(System.getProperty("dev.jar", "target/secrets-lifecycle-dev.jar"));

    @Test
    void shouldPrintTheBootstrapAddressStopCleanlyAndReuseItsDataDirectory(@TempDir Path dataDirectory) throws Exception {
        assertThat(JAR).as("the packaged dev jar (mvn package)").exists();
        int kafkaPort = FreePorts.next();

        DevProcess first = DevProcess.start(dataDirectory, kafkaPort, FreePorts.next());
        String ready = first.awaitLine("Kafka broker ready");
        assertThat(ready).contains("bootstrap.servers=localhost:" + kafkaPort);
        String clusterLine = first.awaitLine("  cluster id ");
        assertThat(clusterLine).contains("(new)");
        first.terminate();
        assertThat(first.output()).anyMatch(line -> line.startsWith("Stopped cleanly"));

        DevProcess second = DevProcess.start(dataDirectory, kafkaPort, FreePorts.next());
        second.awaitLine("Kafka broker ready");
        String reusedLine = second.awaitLine("  cluster id ");
        second.terminate();

        assertThat(reusedLine).contains("(reused)").contains(clusterIdOf(clusterLine));
        assertThat(Files.readString(dataDirectory.resolve("kafka/cluster.id")).trim()).isEqualTo(clusterIdOf(clusterLine));
    }

    @Test
    void shouldRunTheDemoLifecycleAndExitCleanlyWithNothingLeftBehind(@TempDir Path dataDirectory) throws Exception {
        DevProcess demo = DevProcess.start(dataDirectory, FreePorts.next(), FreePorts.next(), "--demo");

        int exit = demo.awaitExit();

        List<String> output = demo.output();
        assertThat(exit).as("exit code; output:\n" + String.join("\n", output)).isZero();
        assertThat(output).anyMatch(line -> line.contains("API_TOKEN") && line.contains("from the USER scope"))
                .anyMatch(line -> line.contains("SECRETS_PROVISIONED"))
                .anyMatch(line -> line.contains("SECRETS_RELEASED"))
                .anyMatch(line -> line.startsWith("Demo complete"))
                .anyMatch(line -> line.startsWith("Admin token:"))
                .anyMatch(line -> line.trim().startsWith("curl -H \"Authorization: Bearer ") && line.contains("/runs/<runId>"))
                .as("the demo's own GET /runs presents the token").anyMatch(line -> line.contains("GET /runs/")
                        && line.contains("-> phase ACTIVE"))
                .noneMatch(line -> line.contains("users-own-api-token") || line.contains("demo-db-password"));
        try (var runs = Files.list(dataDirectory.resolve("secrets"))) {
            assertThat(runs.toList()).as("run directories left behind").isEmpty();
        }
    }

    private static String clusterIdOf(String line) {
        return line.trim().split("\\s+")[2].replace(",", "");
    }

    private static final class DevProcess {
        private final Process process;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Thread reader;

        private DevProcess(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader output = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = output.readLine(); line != null; line = output.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("<output closed: " + e + ">");
                }
            }, "dev-output");
            reader.setDaemon(true);
            reader.start();
        }

        static DevProcess start(Path dataDirectory, int kafkaPort, int controllerPort, String... extra) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", JAR.toString(), "dev",
                    "--data-dir", dataDirectory.toString(),
                    "--kafka-port", Integer.toString(kafkaPort),
                    "--controller-port", Integer.toString(controllerPort),
                    "--registry-port", Integer.toString(FreePorts.next()),
                    "--admin-port", Integer.toString(FreePorts.next())));
            command.addAll(List.of(extra));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("LOG_FORMAT", "text");
            return new DevProcess(builder.start());
        }

        String awaitLine(String start) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                synchronized (lines) {
                    for (String line : lines) {
                        if (line.startsWith(start)) {
                            return line;
                        }
                    }
                }
                if (!process.isAlive()) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new AssertionError("expected a line starting with '" + start + "' but the dev command printed:\n  "
                    + String.join("\n  ", output()));
        }

        /** SIGTERM through the process handle: {@code Process.destroy()} would also close our end of its output. */
        void terminate() throws InterruptedException {
            process.toHandle().destroy();
            boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            assertThat(exited).as("dev command exits after SIGTERM; output:\n" + String.join("\n", output())).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }

        int awaitExit() throws InterruptedException {
            boolean exited = process.waitFor(150, TimeUnit.SECONDS);
            assertThat(exited).as("dev --demo exits; output:\n" + String.join("\n", output())).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        }

        List<String> output() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }
}
