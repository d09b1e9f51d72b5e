package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many runs per second the service provisions and releases end to end with the filesystem backend, on the
 * in-JVM broker with production pacing (EOS, commit interval 100 ms, punctuation 100 ms). Not part of
 * {@code mvn verify}: run with {@code mvn -Pbenchmarks verify -pl services/secrets-lifecycle}. Prints one line of
 * figures per phase; asserts only that every run went through.
 */
@ExtendWith(KafkaClusterExtension.class)
class FilesystemThroughputBenchmark {

    private static final int RUNS = Integer.getInteger("benchmark.runs", 2000);
    private static final int SECRETS_PER_RUN = 5;

    @Test
    void measureRunsPerSecond(TestKafka kafka, @TempDir Path work) {
        try (ServiceHarness harness = ServiceHarness.start(kafka, work,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                Duration.ofMillis(100), Map.of("commit.interval.ms", 100))) {
            for (int s = 0; s < SECRETS_PER_RUN - 1; s++) {
                harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "WS_SECRET_" + s, "value-" + s).build());
            }
            harness.publishSecret(Events.userSecret(Events.USER, "USER_SECRET", "user-value").build());
            String root = harness.secretsRoot().toString();

            Map<String, Long> launchedAt = new HashMap<>();
            long start = System.nanoTime();
            for (int i = 0; i < RUNS; i++) {
                String runId = "bench-" + i;
                launchedAt.put(runId, System.currentTimeMillis());
                harness.sendAsync(harness.topics().launched(), runId, harness.serdes().launched().serializer()
                        .serialize(harness.topics().launched(), Events.launched(runId).setComputeEnv(Events.slurm(root)).build()));
            }
            harness.flush();
            List<AuditEvent> provisioned = harness.awaitAudit(RUNS + " provisioned", events -> count(events, AuditAction.SECRETS_PROVISIONED) == RUNS);
            double provisionSeconds = (System.nanoTime() - start) / 1e9;
            report("launch -> SECRETS_PROVISIONED", provisionSeconds, latencies(provisioned, AuditAction.SECRETS_PROVISIONED, launchedAt));

            Map<String, Long> completedAt = new HashMap<>();
            start = System.nanoTime();
            for (int i = 0; i < RUNS; i++) {
                String runId = "bench-" + i;
                completedAt.put(runId, System.currentTimeMillis());
                harness.sendAsync(harness.topics().completed(), runId, harness.serdes().completed().serializer()
                        .serialize(harness.topics().completed(), Events.completed(runId).build()));
            }
            harness.flush();
            List<AuditEvent> released = harness.awaitAudit(RUNS + " released", events -> count(events, AuditAction.SECRETS_RELEASED) == RUNS);
            double releaseSeconds = (System.nanoTime() - start) / 1e9;
            report("completion -> SECRETS_RELEASED", releaseSeconds, latencies(released, AuditAction.SECRETS_RELEASED, completedAt));

            assertThat(count(released, AuditAction.SECRET_DELETED)).isEqualTo((long) RUNS * SECRETS_PER_RUN);
        }
    }

    private static void report(String phase, double seconds, List<Long> latencies) {
        Collections.sort(latencies);
        System.out.printf("BENCHMARK %s: %d runs x %d secrets in %.1f s = %.0f runs/s; end-to-end latency p50 %d ms, p99 %d ms, max %d ms%n",
                phase, RUNS, SECRETS_PER_RUN, seconds, RUNS / seconds,
                latencies.get(latencies.size() / 2), latencies.get((int) (latencies.size() * 0.99)), latencies.get(latencies.size() - 1));
    }

    private static List<Long> latencies(List<AuditEvent> events, AuditAction action, Map<String, Long> sentAt) {
        List<Long> latencies = new ArrayList<>();
        events.stream().filter(e -> e.getAction() == action)
                .forEach(e -> latencies.add(e.getOccurredAt().toEpochMilli() - sentAt.get(e.getRunId())));
        return latencies;
    }

    private static long count(List<AuditEvent> events, AuditAction action) {
        return events.stream().filter(e -> e.getAction() == action).count();
    }
}
