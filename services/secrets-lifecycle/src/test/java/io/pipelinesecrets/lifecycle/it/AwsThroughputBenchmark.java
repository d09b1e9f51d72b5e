package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.RecordingCredentials;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.events.Events;
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
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs per second through AWS Secrets Manager — the double with 20 ms latency and a 50 requests/s quota on
 * CreateSecret and DeleteSecret each — with 10 secrets per run, per-secret and bundled, and how many throttling
 * errors got past the SDK's retries to the service. Run with the benchmarks profile (see README).
 */
@ExtendWith(KafkaClusterExtension.class)
class AwsThroughputBenchmark {

    private static final int SECRETS_PER_RUN = 10;

    @ParameterizedTest(name = "bundle={0}, runs={1}, client limit {2}/s")
    @CsvSource({"false, 40, 40", "true, 400, 40", "false, 40, 100"})
    void measureRunsPerSecond(boolean bundle, int runs, double callsPerSecond, TestKafka kafka, @TempDir Path work) {
        try (SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults())) {
            for (String operation : List.of("CreateSecret", "DeleteSecret")) {
                sm.faults().on(operation).latency(Duration.ofMillis(20)).quotaPerSecond(50);
            }
            AtomicReference<AwsSecretsManagerBackend> backend = new AtomicReference<>();
            try (ServiceHarness harness = ServiceHarness.start(kafka, work, () -> {
                backend.set(new AwsSecretsManagerBackend(new AwsBackendConfig("bench",
                        new AwsEnvironmentSettings(AwsEnvironmentSettings.DEFAULT_NAME_TEMPLATE, bundle, null, null),
                        Map.of(), Set.of("us-east-1"), Set.of(), null, callsPerSecond, URI.create(sm.endpoint()),
                        Duration.ofSeconds(30)), new RecordingCredentials()));
                return List.<SecretsBackend>of(backend.get());
            })) {
                for (int s = 0; s < SECRETS_PER_RUN; s++) {
                    harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "SECRET_" + s, "value-" + s).build());
                }
                long start = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    harness.sendAsync(harness.topics().launched(), "aws-" + i, harness.serdes().launched().serializer()
                            .serialize(harness.topics().launched(),
                                    Events.launched("aws-" + i).setComputeEnv(Events.awsBatch("us-east-1")).build()));
                }
                harness.flush();
                harness.awaitAudit(runs + " provisioned", events -> events.stream()
                        .filter(e -> e.getAction() == AuditAction.SECRETS_PROVISIONED).count() == runs);
                double provisioning = (System.nanoTime() - start) / 1e9;
                long throttledAfterProvisioning = backend.get().throttlesSeen();

                start = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    harness.sendAsync(harness.topics().completed(), "aws-" + i, harness.serdes().completed().serializer()
                            .serialize(harness.topics().completed(), Events.completed("aws-" + i).build()));
                }
                harness.flush();
                harness.awaitAudit(runs + " released", events -> events.stream()
                        .filter(e -> e.getAction() == AuditAction.SECRETS_RELEASED).count() == runs);
                double releasing = (System.nanoTime() - start) / 1e9;

                System.out.printf("BENCHMARK aws %s, client limit %.0f/s: %d runs x %d secrets: provisioned %.1f runs/s "
                                + "(%.1f s), released %.1f runs/s (%.1f s); throttled by the double %d, reached the "
                                + "service's retry logic %d (provisioning %d)%n",
                        bundle ? "bundle" : "per-secret", callsPerSecond, runs, SECRETS_PER_RUN, runs / provisioning,
                        provisioning, runs / releasing, releasing, sm.stats().throttled(), backend.get().throttlesSeen(),
                        throttledAfterProvisioning);
                assertThat(sm.liveSecretNames()).isEmpty();
            }
        }
    }
}
