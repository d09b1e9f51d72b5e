package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackend;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.metrics.PrometheusText;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service as `run` starts it — its own JVM, a properties file, JSON logs — against the test cluster,
 * the Secrets Manager double (in this JVM, reached through {@code aws.endpoint}) and a filesystem root. Readiness
 * must answer 503 before the Streams applications run and 200 after; as runs are provisioned (one through a
 * throttling storm) and released, the meters at {@code /metrics} must move exactly as the audit topic says; the
 * log lines that name a run must carry its id as a field; and the planted secret values must appear nowhere.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MetricsIntegrationTest {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsIntegrationTest.class);
    private static final String CANARY = "canary-metrics-3c9d";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int FILESYSTEM_RUNS = 6;
    private static final int AWS_RUNS = 4;
    private static final int RUNS = FILESYSTEM_RUNS + AWS_RUNS;
    private static final int SECRETS_PER_RUN = 2;
    private static final String FS = FilesystemBackend.NAME;
    private static final String AWS = AwsSecretsManagerBackend.NAME;
    private static final Pattern RUN_ID = Pattern.compile("metrics-(?:fs|aws)-\\d+");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldTurnReadyOnlyOnceStreamsRunAndMoveTheMetersAsRunsFlow(TestKafka kafka, @TempDir Path work) throws Exception {
        List<String> scrapes = new ArrayList<>();
        PackagedService setup = PackagedService.create(kafka, work);
        ServiceTopics topics = setup.topics;
        EventSerdes serdes = setup.serdes;
        Path secretsRoot = setup.secretsRoot;
        int adminPort = setup.adminPort;
        List<String> output = setup.output;

        try (setup;
             SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
                     .withForceDeleteDelay(Duration.ZERO));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerConfig(),
                     new StringSerializer(), new ByteArraySerializer());
             RecordLog<AuditEvent> audit = new RecordLog<>(kafka.bootstrapServers(), topics.audit(),
                     r -> serdes.audit().deserializer().deserialize(topics.audit(), r.value()))) {
            Path config = setup.writeConfig("metrics-test", "aws.regions=us-east-1", "aws.endpoint=" + sm.endpoint());
            send(producer, topics.secrets(), "workspace:" + Events.WORKSPACE + ":DB_PASSWORD", serdes.secrets().serializer()
                    .serialize(topics.secrets(), Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", CANARY).build()));
            send(producer, topics.secrets(), "user:" + Events.USER + ":API_TOKEN", serdes.secrets().serializer()
                    .serialize(topics.secrets(), Events.userSecret(Events.USER, "API_TOKEN", CANARY + "-user").build()));

            try (ServiceProcess service = ServiceProcess.start(config, adminPort, output, Map.of(
                    "LOG_FORMAT", "json", "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                    "AWS_REGION", "us-east-1"))) {
                List<String> readiness = service.readinessUntilReady(WAIT, Duration.ofMillis(20));
                LOG.info("readiness answers from start to ready: {}", readiness);
                List<String> answered = readiness.stream().filter(a -> !a.equals("refused")).toList();
                assertThat(answered.get(0)).as("first answer of /health/ready, before the Streams apps run")
                        .startsWith("503 ").contains("DOWN");
                assertThat(answered.get(answered.size() - 1)).startsWith("200 ")
                        .contains("lifecycle RUNNING, secret validation RUNNING");

                HttpResponse<String> first = get(adminPort, "/metrics");
                assertThat(first.statusCode()).isEqualTo(200);
                assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
                scrapes.add(first.body());
                PrometheusText before = PrometheusText.parse(first.body());

                // One AWS run meets throttling past the SDK's own retries, so that the service sees it and retries.
                sm.faults().on("CreateSecret").throttle(10_000);
                launch(producer, serdes, topics, "metrics-aws-0", Events.awsBatch("us-east-1"));
                audit.await("a provisioning retry of metrics-aws-0", events -> events.stream().anyMatch(e ->
                        e.getAction() == AuditAction.PROVISION_RETRY_SCHEDULED), WAIT);
                sm.faults().on("CreateSecret").clear();
                for (int i = 1; i < AWS_RUNS; i++) {
                    launch(producer, serdes, topics, "metrics-aws-" + i, Events.awsBatch("us-east-1"));
                }
                for (int i = 0; i < FILESYSTEM_RUNS; i++) {
                    launch(producer, serdes, topics, "metrics-fs-" + i, Events.slurm(secretsRoot.toString()));
                }
                producer.send(new ProducerRecord<>(topics.launched(), "metrics-poison",
                        "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                audit.await(RUNS + " runs provisioned", events -> distinctRuns(events, AuditAction.SECRETS_PROVISIONED) == RUNS,
                        WAIT);

                PrometheusText active = scrapeUntil(adminPort, scrapes, "every run ACTIVE",
                        s -> s.sum("pipeline_secrets_runs_in_flight", "phase", "ACTIVE") == RUNS);
                assertThat(active.sum("pipeline_secrets_oldest_active_run_age_seconds")).isPositive();
                assertThat(active.sum("pipeline_secrets_retry_queue_depth")).isZero();

                for (int i = 0; i < AWS_RUNS; i++) {
                    complete(producer, serdes, topics, "metrics-aws-" + i);
                }
                for (int i = 0; i < FILESYSTEM_RUNS; i++) {
                    complete(producer, serdes, topics, "metrics-fs-" + i);
                }
                List<AuditEvent> trail = audit.await(RUNS + " runs released",
                        events -> distinctRuns(events, AuditAction.SECRETS_RELEASED) == RUNS, WAIT);
                PrometheusText after = scrapeUntil(adminPort, scrapes, "no run in flight",
                        s -> s.sum("pipeline_secrets_runs_in_flight") == 0);

                assertRunAndSecretCounters(before, after);
                assertBackendCalls(before, after);
                assertAuditEventsCountedExactlyAsWritten(before, after, audit.poll());
                assertThat(after.sum("pipeline_secrets_oldest_active_run_age_seconds")).isZero();
                assertThat(after.sum("pipeline_secrets_release_failures_outstanding")).isZero();
                assertThat(after.types().keySet()).as("Kafka Streams metrics of both applications")
                        .contains("kafka_stream_thread_process_rate", "kafka_stream_thread_commit_latency_avg")
                        .anyMatch(name -> name.startsWith("jvm_")).anyMatch(name -> name.startsWith("process_"));
                assertThat(after.samples("kafka_stream_thread_process_rate")).extracting(s -> s.labels().get("application"))
                        .contains("lifecycle", "secret-validation");
                assertEveryMetricTheDashboardsAndAlertsUseIsExposed(after);
                LOG.info("metrics test: {} audit events; # TYPE lines of the last scrape:\n{}", trail.size(),
                        scrapes.get(scrapes.size() - 1).lines().filter(line -> line.startsWith("# TYPE pipeline_secrets")
                                || line.startsWith("# TYPE kafka_stream_thread_p")).collect(Collectors.joining("\n")));
            }
        }
        assertLogLinesAreJsonAndCarryTheirRunId(output);
        assertThat(scrapes).as("scrapes").noneMatch(text -> text.contains(CANARY));
        assertThat(output).as("service output").isNotEmpty().noneMatch(line -> line.contains(CANARY));
    }

    /**
     * deploy/grafana and deploy/prometheus name metrics by hand; a renamed meter would leave a panel or an alert
     * silently empty. Every name they use must be in a real scrape, except runs_failed_total, whose series exist
     * only once a run failed (its labels say how), and none fails here.
     */
    private static void assertEveryMetricTheDashboardsAndAlertsUseIsExposed(PrometheusText scrape) throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent().getParent().resolve("deploy");
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".yml")).toList()) {
                Matcher names = Pattern.compile("pipeline_secrets_[a-z_]+").matcher(Files.readString(file));
                while (names.find()) {
                    used.add(names.group().replaceAll("_(bucket|count|sum)$", ""));
                }
            }
        }
        used.remove("pipeline_secrets_runs_failed_total");
        assertThat(used).as("metrics named in deploy/").hasSizeGreaterThan(10);
        assertThat(scrape.types().keySet()).as("families of the scrape").containsAll(used);
    }

    private static void assertRunAndSecretCounters(PrometheusText before, PrometheusText after) {
        assertThat(delta(before, after, "pipeline_secrets_runs_provisioned_total", "backend", FS)).isEqualTo(FILESYSTEM_RUNS);
        assertThat(delta(before, after, "pipeline_secrets_runs_provisioned_total", "backend", AWS)).isEqualTo(AWS_RUNS);
        assertThat(delta(before, after, "pipeline_secrets_runs_released_total", "backend", FS, "reason", "completed"))
                .isEqualTo(FILESYSTEM_RUNS);
        assertThat(delta(before, after, "pipeline_secrets_runs_released_total", "backend", AWS, "reason", "completed"))
                .isEqualTo(AWS_RUNS);
        assertThat(delta(before, after, "pipeline_secrets_runs_failed_total")).isZero();
        assertThat(delta(before, after, "pipeline_secrets_secrets_created_total", "backend", FS))
                .isEqualTo(FILESYSTEM_RUNS * SECRETS_PER_RUN);
        assertThat(delta(before, after, "pipeline_secrets_secrets_created_total", "backend", AWS))
                .isEqualTo(AWS_RUNS * SECRETS_PER_RUN);
        assertThat(delta(before, after, "pipeline_secrets_secrets_deleted_total", "backend", FS))
                .isEqualTo(FILESYSTEM_RUNS * SECRETS_PER_RUN);
        assertThat(delta(before, after, "pipeline_secrets_secrets_deleted_total", "backend", AWS))
                .isEqualTo(AWS_RUNS * SECRETS_PER_RUN);
        assertThat(delta(before, after, "pipeline_secrets_dead_letters_total", "code", "UNKNOWN_MAGIC_BYTE")).isEqualTo(1);
    }

    private static void assertBackendCalls(PrometheusText before, PrometheusText after) {
        String count = "pipeline_secrets_backend_call_seconds_count";
        for (String operation : List.of("provision", "release")) {
            assertThat(delta(before, after, count, "backend", FS, "operation", operation, "outcome", "success"))
                    .as("filesystem " + operation + " calls").isEqualTo(FILESYSTEM_RUNS);
            assertThat(delta(before, after, count, "backend", AWS, "operation", operation, "outcome", "success"))
                    .as("AWS " + operation + " calls").isEqualTo(AWS_RUNS);
        }
        double retried = delta(before, after, count, "backend", AWS, "operation", "provision", "outcome", "retryable");
        assertThat(retried).as("throttled provisioning calls").isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "pipeline_secrets_backend_throttles_total", "backend", AWS))
                .as("each retried call met at least one throttle").isGreaterThanOrEqualTo(retried);
        assertThat(delta(before, after, "pipeline_secrets_backend_throttles_total", "backend", FS)).isZero();
        assertThat(delta(before, after, count, "outcome", "permanent")).isZero();
        assertThat(delta(before, after, "pipeline_secrets_backend_call_seconds_sum")).isPositive();
    }

    /** Every audit event the service wrote, counted once per action and outcome: no more, no fewer. */
    private static void assertAuditEventsCountedExactlyAsWritten(PrometheusText before, PrometheusText after,
                                                                 List<AuditEvent> written) {
        Map<String, Long> byActionAndOutcome = written.stream().collect(Collectors.groupingBy(
                e -> e.getAction() + "/" + e.getOutcome(), Collectors.counting()));
        assertThat(byActionAndOutcome).containsKeys("SECRET_CREATED/SUCCESS", "SECRETS_RELEASED/SUCCESS",
                "PROVISION_RETRY_SCHEDULED/FAILURE", "EVENT_REJECTED/FAILURE");
        byActionAndOutcome.forEach((key, expected) -> {
            String[] parts = key.split("/");
            assertThat(delta(before, after, "pipeline_secrets_audit_events_total", "action", parts[0], "outcome", parts[1]))
                    .as("audit_events " + key).isEqualTo(expected.doubleValue());
        });
        assertThat(delta(before, after, "pipeline_secrets_audit_events_total")).isEqualTo(written.size());
    }

    /** Every line is a JSON log event; one that names a run of this test carries that run's id in its MDC. */
    private static void assertLogLinesAreJsonAndCarryTheirRunId(List<String> output) throws IOException {
        List<String> lines;
        synchronized (output) {
            lines = List.copyOf(output);
        }
        Set<String> runsNamed = new TreeSet<>();
        Set<String> threads = new HashSet<>();
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as("a JSON object: " + line).isTrue();
            assertThat(event.path("level").asText()).as("level of " + line).isNotEmpty();
            assertThat(event.path("formattedMessage").isTextual()).as("formattedMessage of " + line).isTrue();
            Matcher run = RUN_ID.matcher(event.path("formattedMessage").asText());
            while (run.find()) {
                assertThat(event.path("mdc").path("runId").asText()).as("runId field of " + line).isEqualTo(run.group());
                if (runsNamed.add(run.group()) && runsNamed.size() == 1) {
                    LOG.info("a log line about a run: {}", line);
                }
                threads.add(event.path("threadName").asText().replaceAll("-\\d+$", "-N"));
            }
        }
        assertThat(runsNamed).as("runs named in the log").hasSize(RUNS);
        assertThat(threads).as("threads that logged about runs").anyMatch(t -> t.startsWith("filesystem-backend"))
                .anyMatch(t -> t.contains("StreamThread"));
    }

    private static PrometheusText scrapeUntil(int adminPort, List<String> scrapes, String expectation,
                                              Predicate<PrometheusText> done) throws Exception {
        return Await.atMost(WAIT).every(Duration.ofMillis(500)).until("metrics showing " + expectation, () -> {
            String body = get(adminPort, "/metrics").body();
            scrapes.add(body);
            return PrometheusText.parse(body);
        }, done, last -> "runs_in_flight " + last.samples("pipeline_secrets_runs_in_flight"));
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static HttpResponse<String> get(int adminPort, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long distinctRuns(List<AuditEvent> events, AuditAction action) {
        return events.stream().filter(e -> e.getAction() == action).map(AuditEvent::getRunId).distinct().count();
    }

    private static void launch(KafkaProducer<String, byte[]> producer, EventSerdes serdes, ServiceTopics topics,
                               String runId, io.pipelinesecrets.events.ComputeEnv computeEnv) throws Exception {
        WorkflowLaunched launch = Events.launched(runId).setComputeEnv(computeEnv).build();
        send(producer, topics.launched(), runId, serdes.launched().serializer().serialize(topics.launched(), launch));
    }

    private static void complete(KafkaProducer<String, byte[]> producer, EventSerdes serdes, ServiceTopics topics,
                                 String runId) throws Exception {
        send(producer, topics.completed(), runId,
                serdes.completed().serializer().serialize(topics.completed(), Events.completed(runId).build()));
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
}
