package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.it.ceiling.CeilingApp;
import io.pipelinesecrets.lifecycle.it.ceiling.CommittedVisibility;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service against the ceiling, in one run on one broker: {@link CeilingApp} (exactly-once Kafka Streams with
 * the service's I/O per run and no backend), then the service on the filesystem backend, over the same load —
 * a burst of {@code benchmark.runs} runs (20,000) of 10 secrets, then launches and completions at fixed rates of 200
 * and 1,000 runs a second for {@code benchmark.rate-seconds} (10) each. Latency is from the send of a launch (a
 * completion) to its run's SECRETS_PROVISIONED (SECRETS_RELEASED) becoming visible to a read_committed consumer of
 * the audit topic, as a dashboard sees it. Both run with a commit interval of 100 ms, the service with its
 * production punctuation of 100 ms. Prints one table; asserts only that every run went through.
 *
 * <p>Run: {@code mvn -B -Pbenchmarks verify -pl services/secrets-lifecycle -am -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=CeilingBenchmark -Dfuzz.tests=NONE}
 */
@ExtendWith(KafkaClusterExtension.class)
class CeilingBenchmark {

    private static final int RUNS = Integer.getInteger("benchmark.runs", 20_000);
    private static final int RATE_SECONDS = Integer.getInteger("benchmark.rate-seconds", 10);
    private static final int SECRETS_PER_RUN = 10;
    private static final int[] RATES = {200, 1000};
    private static final Duration WAIT = Duration.ofMinutes(15);
    /** About what the service stores for a run of 10 secrets (its run-state JSON with the manifest). */
    private static final int STATE_BYTES = 2048;

    /** What one subject under load offers the benchmark: where to send, and when outcomes became visible. */
    private interface Subject extends AutoCloseable {
        String launched();

        String completed();

        CommittedVisibility visibility();

        @Override
        void close();
    }

    /** One row's figures for one subject. */
    private record Figures(double runsPerSecond, List<Long> latencies) {
        String latency() {
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            return String.format("%d / %d / %d", sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))), sorted.get(sorted.size() - 1));
        }

        long p99() {
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)));
        }
    }

    @Test
    void measureTheServiceAgainstTheCeiling(TestKafka kafka, @TempDir Path work) throws Exception {
        Map<String, Figures> ceiling;
        Map<String, Figures> service;
        try (ServiceHarness harness = ServiceHarness.start(kafka, work.resolve("service"),
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                Duration.ofMillis(100), Map.of("commit.interval.ms", 100));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int s = 0; s < SECRETS_PER_RUN - 1; s++) {
                harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "WS_SECRET_" + s, "value-" + s).build());
            }
            harness.publishSecret(Events.userSecret(Events.USER, "USER_SECRET", "user-value").build());
            harness.awaitSecretsVisible(SECRETS_PER_RUN);
            String root = harness.secretsRoot().toString();
            // The same bytes for both subjects: the service decodes them, the ceiling only stores them.
            Function<String, byte[]> launch = runId -> harness.serdes().launched().serializer()
                    .serialize(harness.topics().launched(), Events.launched(runId).setComputeEnv(Events.slurm(root)).build());
            Function<String, byte[]> completion = runId -> harness.serdes().completed().serializer()
                    .serialize(harness.topics().completed(), Events.completed(runId).build());
            int auditBytes = harness.serdes().audit().serializer().serialize(harness.topics().audit(),
                    Events.audit("sample-run", AuditAction.SECRET_CREATED, io.pipelinesecrets.events.AuditOutcome.SUCCESS)
                            .setSecretName("WS_SECRET_0").setBackend("filesystem")
                            .setBackendRef(root + "/sample-run/store.json").build()).length;

            harness.stopService();
            try (Subject app = ceiling(kafka, work, auditBytes)) {
                Await.atMost(Duration.ofSeconds(60)).until("the ceiling app to run", () -> ((CeilingSubject) app).app.running(),
                        running -> running);
                ceiling = measure("ceiling", app, producer, launch, completion);
            }
            harness.startService();
            harness.awaitReady();
            try (Subject subject = serviceSubject(kafka, harness)) {
                service = measure("service", subject, producer, launch, completion);
            }
            System.out.printf("BENCHMARK ceiling vs service (filesystem backend), %d runs x %d secrets burst, %d s at each"
                    + " rate; audit record %d bytes, ceiling state %d bytes; latency in ms p50 / p99 / max%n",
                    RUNS, SECRETS_PER_RUN, RATE_SECONDS, auditBytes, STATE_BYTES);
            System.out.printf("BENCHMARK | %-44s | %-22s | %-22s | %-9s |%n", "load", "ceiling", "service", "ratio");
            for (String row : ceiling.keySet()) {
                Figures c = ceiling.get(row);
                Figures s = service.get(row);
                boolean burst = row.startsWith("burst");
                System.out.printf("BENCHMARK | %-44s | %-22s | %-22s | %-9s |%n", row,
                        burst ? String.format("%.0f runs/s", c.runsPerSecond()) : c.latency(),
                        burst ? String.format("%.0f runs/s", s.runsPerSecond()) : s.latency(),
                        burst ? String.format("%.1f %%", 100 * s.runsPerSecond() / c.runsPerSecond())
                                : String.format("%.1fx p99", (double) s.p99() / Math.max(1, c.p99())));
            }
        }
    }

    private Map<String, Figures> measure(String name, Subject subject, KafkaProducer<byte[], byte[]> producer,
                                         Function<String, byte[]> launch, Function<String, byte[]> completion)
            throws InterruptedException {
        Map<String, Figures> rows = new LinkedHashMap<>();
        List<String> burst = ids(name + "-burst", RUNS);
        rows.put("burst: launch -> provisioned", send(subject, producer, subject.launched(), burst, launch, 0,
                CeilingApp.PROVISIONED));
        rows.put("burst: completion -> released", send(subject, producer, subject.completed(), burst, completion, 0,
                CeilingApp.RELEASED));
        for (int rate : RATES) {
            List<String> runs = ids(name + "-r" + rate, rate * RATE_SECONDS);
            rows.put(rate + "/s: launch -> provisioned", send(subject, producer, subject.launched(), runs, launch, rate,
                    CeilingApp.PROVISIONED));
            rows.put(rate + "/s: completion -> released", send(subject, producer, subject.completed(), runs, completion,
                    rate, CeilingApp.RELEASED));
        }
        return rows;
    }

    /** Sends one record per run (at {@code rate} a second, or as fast as possible for 0) and waits for every outcome. */
    private Figures send(Subject subject, KafkaProducer<byte[], byte[]> producer, String topic, List<String> runs,
                         Function<String, byte[]> value, int rate, String phase) throws InterruptedException {
        Map<String, Long> sentAt = new LinkedHashMap<>();
        List<byte[]> values = runs.stream().map(value).toList();
        CommittedVisibility visibility = subject.visibility();
        int before = visibility.count(phase);
        long start = System.nanoTime();
        for (int i = 0; i < runs.size(); i++) {
            if (rate > 0) {
                long due = start + TimeUnit.SECONDS.toNanos(i) / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            sentAt.put(runs.get(i), System.currentTimeMillis());
            producer.send(new ProducerRecord<>(topic, runs.get(i).getBytes(StandardCharsets.UTF_8), values.get(i)));
        }
        producer.flush();
        // A count, not a scan of every run: the probe must cost next to nothing on a 2-core machine.
        Await.atMost(WAIT).every(Duration.ofMillis(100)).until(runs.size() + " runs " + phase,
                () -> visibility.count(phase) - before, seen -> seen >= runs.size(), seen -> seen + " seen");
        List<Long> latencies = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (String run : runs) {
            long seen = visibility.seenAt(phase, run).orElseThrow();
            latencies.add(seen - sentAt.get(run));
            first = Math.min(first, sentAt.get(run));
            last = Math.max(last, seen);
        }
        assertThat(latencies).hasSize(runs.size());
        return new Figures(runs.size() * 1000.0 / Math.max(1, last - first), latencies);
    }

    private static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }

    private static Subject ceiling(TestKafka kafka, Path work, int auditBytes) {
        String launched = kafka.createTopic("ceiling-launched", 3);
        String completed = kafka.createTopic("ceiling-completed", 3);
        String audit = kafka.createTopic("ceiling-audit", 3);
        CeilingApp app = new CeilingApp(kafka.bootstrapServers(), kafka.uniqueName("ceiling"), work.resolve("ceiling"),
                launched, completed, audit, SECRETS_PER_RUN, auditBytes, STATE_BYTES, 100).start();
        CommittedVisibility visibility = new CommittedVisibility(kafka.consumerConfig("ceiling-audit"), audit, record -> {
            Header phase = record.headers().lastHeader(CeilingApp.PHASE_HEADER);
            return phase == null ? Optional.empty() : Optional.of(new CommittedVisibility.Sighting(
                    new String(record.key(), StandardCharsets.UTF_8), new String(phase.value(), StandardCharsets.UTF_8)));
        });
        return new CeilingSubject(app, launched, completed, visibility);
    }

    private static Subject serviceSubject(TestKafka kafka, ServiceHarness harness) {
        var deserializer = harness.serdes().audit().deserializer();
        String topic = harness.topics().audit();
        CommittedVisibility visibility = new CommittedVisibility(kafka.consumerConfig("service-audit"), topic,
                (ConsumerRecord<byte[], byte[]> record) -> {
                    AuditEvent event = deserializer.deserialize(topic, record.value());
                    return event.getAction() == AuditAction.SECRETS_PROVISIONED
                            ? Optional.of(new CommittedVisibility.Sighting(event.getRunId(), CeilingApp.PROVISIONED))
                            : event.getAction() == AuditAction.SECRETS_RELEASED
                            ? Optional.of(new CommittedVisibility.Sighting(event.getRunId(), CeilingApp.RELEASED))
                            : Optional.empty();
                });
        return new Subject() {
            @Override
            public String launched() {
                return harness.topics().launched();
            }

            @Override
            public String completed() {
                return harness.topics().completed();
            }

            @Override
            public CommittedVisibility visibility() {
                return visibility;
            }

            @Override
            public void close() {
                visibility.close();
            }
        };
    }

    private record CeilingSubject(CeilingApp app, String launched, String completed, CommittedVisibility visibility)
            implements Subject {
        @Override
        public void close() {
            visibility.close();
            app.close();
        }
    }
}
