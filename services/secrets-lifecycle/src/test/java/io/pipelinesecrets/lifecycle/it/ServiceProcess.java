package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.lifecycle.metrics.PrometheusText;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.testing.await.Await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code secrets-lifecycle.jar run --config FILE}) in a JVM of its own, so that a test can
 * kill it the way a machine dies: SIGKILL, no shutdown hook, no commit, no flush. Its output is kept for the
 * canary scan.
 */
final class ServiceProcess implements AutoCloseable {

    private static final String RUNS_IN_FLIGHT = "pipeline_secrets_runs_in_flight";

    static final Path JAR = Path.of(System.getProperty("service.jar", "target/secrets-lifecycle.jar"));

    private final Process process;
    private final List<String> output;
    private final int adminPort;

    private ServiceProcess(Process process, List<String> output, int adminPort) {
        this.process = process;
        this.output = output;
        this.adminPort = adminPort;
    }

    static ServiceProcess start(Path config, int adminPort, List<String> sharedOutput) {
        return start(config, adminPort, sharedOutput, Map.of());
    }

    /**
     * @param environment added to the service's environment, e.g. AWS credentials; logs are plain text (the tests
     *                    read them line by line) unless it sets {@code LOG_FORMAT}
     */
    static ServiceProcess start(Path config, int adminPort, List<String> sharedOutput, Map<String, String> environment) {
        return start(config, adminPort, sharedOutput, environment, "384m");
    }

    /** @param maxHeap the JVM's {@code -Xmx}, e.g. {@code 256m} for a test that a record cannot exhaust the heap */
    static ServiceProcess start(Path config, int adminPort, List<String> sharedOutput, Map<String, String> environment,
                                String maxHeap) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-jar", JAR.toString(),
                "run", "--config", config.toString()).redirectErrorStream(true);
        builder.environment().put("LOG_FORMAT", "text");
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        sharedOutput.add(line);
                    }
                } catch (IOException ignored) {
                    // the process died; what it printed is kept
                }
            }, "service-output");
            reader.setDaemon(true);
            reader.start();
            return new ServiceProcess(process, sharedOutput, adminPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until /health/ready answers 200, or fails with the process's last output. */
    void awaitReady(Duration timeout) {
        readinessUntilReady(timeout, Duration.ofMillis(200));
    }

    /**
     * Polls /health/ready every {@code interval} until it answers 200, and returns each distinct answer in the order
     * seen: {@code refused} while nothing listens, else the status and body (e.g. {@code 503 {"status":"DOWN",..}}).
     */
    List<String> readinessUntilReady(Duration timeout, Duration interval) {
        HttpClient http = HttpClient.newHttpClient();
        List<String> answers = new ArrayList<>();
        Await.atMost(timeout).every(interval).until("/health/ready to answer 200", () -> {
            if (!process.isAlive()) {
                throw new AssertionError("service exited with " + process.exitValue() + ":\n" + tail());
            }
            String answer;
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                answer = response.statusCode() + " " + response.body();
            } catch (IOException notYet) {
                answer = "refused";
            }
            if (answers.isEmpty() || !answers.get(answers.size() - 1).equals(answer)) {
                answers.add(answer);
            }
            return answer;
        }, answer -> answer.startsWith("200 "), answer -> "answers " + answers + "; the service's output:\n" + tail());
        return answers;
    }

    /**
     * What the service is still doing, for {@link Settled}, as its admin port tells: not ready, or runs in a phase
     * that still acts (awaiting secrets, provisioning, releasing, rolling back) by {@code runs_in_flight}. The gauges
     * are a census cached for a few seconds, so a change shows a little late; {@link Settled} also requires the
     * consumer group and the audit topic to be at rest, which a late census cannot fake.
     */
    String inFlight() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                + "/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() != 200) {
            return "not ready: " + ready.statusCode() + " " + ready.body();
        }
        PrometheusText metrics = PrometheusText.parse(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + adminPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
        if (metrics.samples(RUNS_IN_FLIGHT).isEmpty()) {
            return "no " + RUNS_IN_FLIGHT + " gauge yet";
        }
        List<String> busy = new ArrayList<>();
        for (Phase phase : List.of(Phase.AWAITING_SECRETS, Phase.PROVISIONING, Phase.RELEASING, Phase.ROLLING_BACK)) {
            long runs = (long) metrics.sum(RUNS_IN_FLIGHT, "phase", phase.name());
            if (runs > 0) {
                busy.add(runs + " " + phase);
            }
        }
        return busy.isEmpty() ? "" : "runs " + String.join(", ", busy);
    }

    /** SIGKILL: the JVM gets no chance to run shutdown hooks, commit offsets or finish a transaction. */
    void kill() {
        process.toHandle().destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String tail() {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size()));
        }
    }

    @Override
    public void close() {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> newOutput() {
        return Collections.synchronizedList(new ArrayList<>());
    }
}
