package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.lifecycle.resolution.Resolution;
import io.pipelinesecrets.lifecycle.resolution.SecretSetResolver;
import io.pipelinesecrets.lifecycle.resolution.SecretSource;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.service.LifecycleService;
import io.pipelinesecrets.lifecycle.service.ServiceInternals;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.lifecycle.topology.SecretCatalogs;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The secrets topic at scale: {@code benchmark.secrets} (1,000,000) secrets — 10 per workspace and 10 per user,
 * 50,000 workspaces and 50,000 users — published while the service is stopped; then how long the service takes from
 * start until it runs (its global store restored), the heap it holds after a full GC compared with before the
 * publish, and how long resolving one launch's merged set takes (the service's own catalog and resolver over the
 * restored store, 20,000 launches of random workspace and user). Run with the benchmarks profile.
 */
@ExtendWith(KafkaClusterExtension.class)
class SecretsScaleBenchmark {

    private static final int SECRETS = Integer.getInteger("benchmark.secrets", 1_000_000);
    private static final int PER_OWNER = 10;
    private static final int RESOLVES = 20_000;

    @Test
    void measureRestoreResolveAndHeap(TestKafka kafka, @TempDir Path work) {
        try (ServiceHarness harness = ServiceHarness.start(kafka, work,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                Duration.ofMillis(100), Map.of("commit.interval.ms", 100))) {
            harness.stopService();
            long heapBefore = usedHeapAfterGc();
            int owners = SECRETS / PER_OWNER / 2;
            long publishStart = System.nanoTime();
            for (int owner = 0; owner < owners; owner++) {
                for (int s = 0; s < PER_OWNER; s++) {
                    publish(harness, Events.workspaceSecret("ws-" + owner, "SECRET_" + s, "value-" + owner + "-" + s).build());
                    publish(harness, Events.userSecret("user-" + owner, "SECRET_" + s, "user-value-" + owner + "-" + s).build());
                }
            }
            harness.flush();
            double publishSeconds = (System.nanoTime() - publishStart) / 1e9;

            long start = System.nanoTime();
            harness.startService();
            Await.atMost(Duration.ofMinutes(10)).every(Duration.ofMillis(50)).until("the service running",
                    harness::service, LifecycleService::ready, LifecycleService::describeState);
            double restoreSeconds = (System.nanoTime() - start) / 1e9;
            long visible = ServiceInternals.secretsVisible(harness.service());
            long heapAfter = usedHeapAfterGc();

            SecretSource catalog = SecretCatalogs.over(ServiceInternals.secretsStore(harness.service()),
                    harness.serdes().secrets().deserializer(), harness.topics().secrets());
            List<Long> nanos = new ArrayList<>(RESOLVES);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < RESOLVES; i++) {
                int ws = random.nextInt(owners);
                int user = random.nextInt(owners);
                long t = System.nanoTime();
                Resolution resolution = SecretSetResolver.resolve("ws-" + ws, "user-" + user, null, catalog);
                nanos.add(System.nanoTime() - t);
                if (i == 0) {
                    assertThat(resolution.toString()).doesNotContain("value-");
                }
            }
            List<Long> measured = nanos.subList(RESOLVES / 10, RESOLVES); // the first tenth warms the JIT up
            measured.sort(null);
            System.out.printf("BENCHMARK secrets at scale: %d secrets (%d workspaces and %d users x %d) published in %.1f s;"
                            + " service start to running (global store restored) %.1f s; %d visible; heap after full GC"
                            + " %d MiB before the publish, %d MiB with the store restored (+%d MiB: the whole JVM's heap, the"
                            + " in-JVM broker's included; RocksDB's memory is off the heap); resolve one launch (workspace + user, %d secrets merged):"
                            + " p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d launches%n",
                    SECRETS, owners, owners, PER_OWNER, publishSeconds, restoreSeconds, visible, heapBefore >> 20,
                    heapAfter >> 20, (heapAfter - heapBefore) >> 20, PER_OWNER,
                    measured.get(measured.size() / 2) / 1e6, measured.get((int) (measured.size() * 0.99)) / 1e6,
                    measured.get(measured.size() - 1) / 1e6, measured.size());
            assertThat(visible).isEqualTo(SECRETS);

            harness.launch(Events.launched("scale-run").setWorkspaceId("ws-1").setUserId("user-1")
                    .setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
            harness.awaitAction("scale-run", AuditAction.SECRETS_PROVISIONED);
        }
    }

    private static void publish(ServiceHarness harness, SecretRecord secret) {
        harness.sendAsync(harness.topics().secrets(), new SecretKey(secret.getScope(), secret.getOwnerId(),
                secret.getName()).toString(), harness.serdes().secrets().serializer().serialize(harness.topics().secrets(), secret));
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
