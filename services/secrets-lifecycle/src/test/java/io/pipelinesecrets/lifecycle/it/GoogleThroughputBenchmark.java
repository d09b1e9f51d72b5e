package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSourceForTests;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretManagerBackend;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs per second through Google Secret Manager at its documented quota — the double refusing more than 600 writes
 * in any minute per project, with 20 ms latency per call — with 5 secrets per run, per-secret and bundled, as a
 * share of what the quota allows: a per-secret run costs 2 writes per secret to provision (create, add version) and
 * 1 to release; a bundled run 2 and 1 whatever its size. Run with the benchmarks profile (see README).
 */
@ExtendWith(KafkaClusterExtension.class)
class GoogleThroughputBenchmark {

    private static final int SECRETS_PER_RUN = 5;
    private static final String PROJECT = "tower-bench-1";
    private static final double QUOTA_PER_SECOND = 600 / 60.0;

    @ParameterizedTest(name = "bundle={0}, runs={1}, client limit {2}/min")
    @CsvSource({"false, 30, 540", "true, 150, 540"})
    void measureRunsPerSecond(boolean bundle, int runs, double writesPerMinute, TestKafka kafka, @TempDir Path work) {
        try (SecretManagerDouble sm = SecretManagerDouble.start()) {
            sm.quotas().documented();
            sm.faults().latency(Duration.ofMillis(20));
            try (ServiceHarness harness = ServiceHarness.start(kafka, work, LifecyclePolicy.DEFAULTS,
                    () -> List.<SecretsBackend>of(new GoogleSecretManagerBackend(new GoogleBackendConfig("bench",
                            new GoogleEnvironmentSettings(new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), bundle,
                                    PROJECT, null, null), Map.of(), Set.of(PROJECT), Set.of(), Set.of(), false,
                            writesPerMinute, 540, Duration.ofDays(3), LeasePolicy.NONE,
                            URI.create("http://" + sm.endpoint()), Duration.ofSeconds(20), null),
                            GoogleCredentialsSourceForTests.NONE)))) {
                for (int s = 0; s < SECRETS_PER_RUN; s++) {
                    harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "SECRET_" + s, "value-" + s).build());
                }
                long start = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    harness.sendAsync(harness.topics().launched(), "gcp-" + i, harness.serdes().launched().serializer()
                            .serialize(harness.topics().launched(),
                                    Events.launched("gcp-" + i).setComputeEnv(Events.googleBatch("us-central1")).build()));
                }
                harness.flush();
                List<AuditEvent> provisionedOrFailed = harness.awaitAudit(runs + " provisioned or failed",
                        count(runs, e -> e.getAction() == AuditAction.SECRETS_PROVISIONED
                                || e.getAction() == AuditAction.PROVISION_FAILED));
                double provisioning = (System.nanoTime() - start) / 1e9;
                long provisioned = provisionedOrFailed.stream()
                        .filter(e -> e.getAction() == AuditAction.SECRETS_PROVISIONED).count();
                long refusedProvisioning = sm.quotas().refused();

                start = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    harness.sendAsync(harness.topics().completed(), "gcp-" + i, harness.serdes().completed().serializer()
                            .serialize(harness.topics().completed(), Events.completed("gcp-" + i).build()));
                }
                harness.flush();
                harness.awaitAudit(runs + " released", count(runs, e -> e.getAction() == AuditAction.SECRETS_RELEASED));
                double releasing = (System.nanoTime() - start) / 1e9;

                int provisionWrites = bundle ? 2 : 2 * SECRETS_PER_RUN;
                int releaseWrites = bundle ? 1 : SECRETS_PER_RUN;
                double provisionedPerSecond = provisioned / provisioning;
                double releasedPerSecond = runs / releasing;
                System.out.printf("BENCHMARK google %s, client limit %.0f/min: %d runs x %d secrets: provisioned %d"
                                + " (%.2f runs/s in %.1f s, %.0f %% of the quota's %.2f runs/s), released %.2f runs/s"
                                + " (%.1f s, %.0f %% of %.2f); quota refusals %d (provisioning %d)%n",
                        bundle ? "bundle" : "per-secret", writesPerMinute, runs, SECRETS_PER_RUN, provisioned,
                        provisionedPerSecond, provisioning, 100 * provisionedPerSecond * provisionWrites / QUOTA_PER_SECOND,
                        QUOTA_PER_SECOND / provisionWrites, releasedPerSecond, releasing,
                        100 * releasedPerSecond * releaseWrites / QUOTA_PER_SECOND, QUOTA_PER_SECOND / releaseWrites,
                        sm.quotas().refused(), refusedProvisioning);
                assertThat(sm.state().secrets()).isEmpty();
            }
        }
    }

    private static Predicate<List<AuditEvent>> count(int runs, Predicate<AuditEvent> terminal) {
        return events -> events.stream().filter(terminal).count() == runs;
    }
}
