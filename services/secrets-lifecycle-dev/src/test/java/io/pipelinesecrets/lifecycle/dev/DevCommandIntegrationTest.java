package io.pipelinesecrets.lifecycle.dev;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.pipelinesecrets.testing.gcp.SecretManagerDoubleMain;
import io.pipelinesecrets.testing.net.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

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

    /**
     * {@code dev --backend google --demo} as operations.md has a developer run it: the Secret Manager double's own
     * main in its own JVM, the dev jar pointed at it. What the double holds afterwards is asked over gRPC, as any
     * client would.
     */
    @Test
    void shouldRunTheDemoOnGoogleSecretManagerAndLeaveNothingThere(@TempDir Path dataDirectory) throws Exception {
        String project = "dev-it-project";
        Process sm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), SecretManagerDoubleMain.class.getName(),
                "--port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            URI endpoint = URI.create(announcedEndpoint(sm));
            DevProcess demo = DevProcess.start(dataDirectory, FreePorts.next(), FreePorts.next(), "--demo",
                    "--backend", "google", "--google-endpoint", endpoint.toString(), "--google-project", project);

            int exit = demo.awaitExit();

            List<String> output = demo.output();
            String secrets = "projects/" + project + "/secrets/tower-demo-\\d+-";
            assertThat(exit).as("exit code; output:\n" + String.join("\n", output)).isZero();
            assertThat(output).anyMatch(line -> line.startsWith("Google backend:") && line.contains(endpoint.toString())
                            && line.contains(project))
                    .anyMatch(line -> line.contains("on a Google Batch compute environment"))
                    .anyMatch(line -> line.matches("\\s+API_TOKEN\\s+from the USER scope -> " + secrets
                            + "API_TOKEN \\(in Secret Manager\\)"))
                    .anyMatch(line -> line.matches("\\s+DB_PASSWORD\\s+from the WORKSPACE scope -> " + secrets
                            + "DB_PASSWORD \\(in Secret Manager\\)"))
                    .anyMatch(line -> line.matches("\\s+released: " + secrets + "API_TOKEN is gone .*"))
                    .anyMatch(line -> line.matches("\\s+released: " + secrets + "DB_PASSWORD is gone .*"))
                    .anyMatch(line -> line.contains("SECRETS_PROVISIONED"))
                    .anyMatch(line -> line.contains("SECRETS_RELEASED"))
                    .anyMatch(line -> line.startsWith("Demo complete"))
                    .noneMatch(line -> line.contains("users-own-api-token") || line.contains("demo-db-password")
                            || line.contains("workspace-api-token"));
            assertThat(secretsIn(endpoint, project)).as("secrets left in the double").isEmpty();
            try (var runs = Files.list(dataDirectory.resolve("secrets"))) {
                assertThat(runs.toList()).as("a google-batch run writes nothing to the filesystem backend").isEmpty();
            }
        } finally {
            sm.destroy();
            assertThat(sm.waitFor(10, TimeUnit.SECONDS)).as("the double exits on SIGTERM").isTrue();
        }
    }

    @Test
    void shouldFailTheGoogleDemoAtOnceWhenNoSecretManagerAnswers(@TempDir Path dataDirectory) throws Exception {
        String nothing = "http://127.0.0.1:" + FreePorts.next();
        DevProcess demo = DevProcess.start(dataDirectory, FreePorts.next(), FreePorts.next(), "--demo",
                "--backend", "google", "--google-endpoint", nothing);

        int exit = demo.awaitExit();

        List<String> output = demo.output();
        assertThat(exit).as("exit code; output:\n" + String.join("\n", output)).isEqualTo(1);
        assertThat(output).anyMatch(line -> line.contains("does not answer (UNAVAILABLE): start the double first"))
                .anyMatch(line -> line.equals("Demo FAILED: no Secret Manager answers at " + nothing + " (UNAVAILABLE)"))
                .noneMatch(line -> line.startsWith("== Demo run"));
    }

    /** The {@code http://host:port} the double's main announces (logging may share its standard output). */
    private static String announcedEndpoint(Process sm) throws IOException {
        Pattern announcement = Pattern.compile("Secret Manager double listening on (http://127\\.0\\.0\\.1:\\d+)");
        BufferedReader out = new BufferedReader(new InputStreamReader(sm.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line = out.readLine(); line != null && seen.size() < 50; line = out.readLine()) {
            seen.add(line);
            Matcher listening = announcement.matcher(line);
            if (listening.matches()) {
                Thread drain = new Thread(() -> out.lines().forEach(rest -> { }), "sm-double-output");
                drain.setDaemon(true);
                drain.start();
                return listening.group(1);
            }
        }
        throw new AssertionError("the Secret Manager double announced no endpoint; it printed " + seen);
    }

    private static List<String> secretsIn(URI endpoint, String project) throws IOException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort()).usePlaintext()
                .build();
        try (SecretManagerServiceClient client = SecretManagerServiceClient.create(SecretManagerServiceSettings.newBuilder()
                .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .setCredentialsProvider(NoCredentialsProvider.create()).build())) {
            return StreamSupport.stream(client.listSecrets("projects/" + project).iterateAll().spliterator(), false)
                    .map(Secret::getName).toList();
        } finally {
            channel.shutdownNow();
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
