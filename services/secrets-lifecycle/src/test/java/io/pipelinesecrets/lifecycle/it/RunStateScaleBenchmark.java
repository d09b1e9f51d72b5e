package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.service.LifecycleService;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run-state store at scale: {@code benchmark.released-runs} (1,000,000) released runs, each the committed
 * RELEASED fixture with its own run id and a fresh {@code updatedAt}, written to the store's changelog while the
 * service is stopped; then how long the service takes from start to running when it restores them all, and how long
 * a restart takes with its local state in place (clean shutdown, checkpoints written). Run with the benchmarks
 * profile.
 */
@ExtendWith(KafkaClusterExtension.class)
class RunStateScaleBenchmark {

    private static final int RUNS = Integer.getInteger("benchmark.released-runs", 1_000_000);
    private static final Duration WAIT = Duration.ofMinutes(15);

    @Test
    void measureRestartWithAMillionReleasedRuns(TestKafka kafka, @TempDir Path work) throws IOException {
        try (ServiceHarness harness = ServiceHarness.start(kafka, work,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                Duration.ofMillis(100), Map.of("commit.interval.ms", 100))) {
            harness.stopService();
            ObjectMapper json = new ObjectMapper();
            ObjectNode released;
            try (InputStream fixture = getClass().getResourceAsStream("/run-state/v1/RELEASED.json")) {
                released = (ObjectNode) json.readTree(fixture);
            }
            String now = Instant.now().toString();
            released.put("updatedAt", now).put("operationStartedAt", now);
            String changelog = RunStateChangelog.topicFor(harness.applicationId());
            long publishStart = System.nanoTime();
            long bytes = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < RUNS; i++) {
                    String runId = "released-" + i;
                    released.put("runId", runId);
                    ((ObjectNode) released.get("target")).put("runId", runId);
                    byte[] value = json.writeValueAsBytes(released);
                    bytes += value.length;
                    // Keyed as the store writes its changelog: the run id, so each lands in its run's partition.
                    producer.send(new ProducerRecord<>(changelog, runId.getBytes(StandardCharsets.UTF_8), value));
                }
            }
            double publishSeconds = (System.nanoTime() - publishStart) / 1e9;

            double restore = startToRunning(harness);
            long held = releasedRuns(harness.service());
            harness.stopService();
            double restart = startToRunning(harness);

            System.out.printf("BENCHMARK run state at scale: %d released runs (%d bytes each) written to %s in %.1f s;"
                            + " start to running restoring them %.1f s (%d held); restart with the local state %.1f s%n",
                    RUNS, bytes / RUNS, changelog, publishSeconds, restore, held, restart);
            assertThat(held).isEqualTo(RUNS);

            harness.launch(Events.launched("after-scale").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
            harness.awaitAction("after-scale", AuditAction.SECRETS_PROVISIONED);
        }
    }

    private static double startToRunning(ServiceHarness harness) {
        long start = System.nanoTime();
        harness.startService();
        Await.atMost(WAIT).every(Duration.ofMillis(50)).until("the service running", harness::service,
                LifecycleService::ready, LifecycleService::describeState);
        return (System.nanoTime() - start) / 1e9;
    }

    private static long releasedRuns(LifecycleService service) {
        AtomicLong count = new AtomicLong();
        service.forEachLocalRun(state -> {
            if (state.phase() == Phase.RELEASED) {
                count.incrementAndGet();
            }
        });
        return count.get();
    }
}
