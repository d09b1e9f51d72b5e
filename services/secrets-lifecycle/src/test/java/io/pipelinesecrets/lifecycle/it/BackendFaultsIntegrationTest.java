package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.Operations;
import io.pipelinesecrets.testing.aws.SecretCall;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pipelinesecrets.lifecycle.it.FaultSuites.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backend faults on both backends while runs flow to two compute environments, one per backend: throttling
 * storms, bursts of 5xx and latency spikes on Secrets Manager, then each backend down for a while (Secrets
 * Manager answering every request with an error; the shared filesystem's root gone as when unmounted). While
 * one compute environment's backend is down, the other's runs must keep flowing — provisioned within the outage —
 * and once it recovers every run must converge: provisioned, released when completed, nothing left behind.
 */
@ExtendWith(KafkaClusterExtension.class)
@Tag("faults")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BackendFaultsIntegrationTest {

    private static final FaultSize SIZE = FaultSize.current();
    private static final Duration WINDOW = SIZE.pick(Duration.ofSeconds(3), Duration.ofSeconds(8));
    private static final Duration OUTAGE = SIZE.pick(Duration.ofSeconds(5), Duration.ofSeconds(15));
    private static final Duration GAP = SIZE.pick(Duration.ofSeconds(2), Duration.ofSeconds(4));
    private static final int SERVER_ERRORS = SIZE.pick(40, 200);
    private static final double RUNS_PER_SECOND = SIZE.pick(8.0, 12.0);
    /** A healthy run launched this long before an outage ends must be provisioned before it ends. */
    private static final Duration GRACE = Duration.ofSeconds(1);

    /** One injected fault: what, when, how much, on which platform's backend. */
    private record Fault(String kind, LoadPlan.Platform platform, long start, long end, String injected) {
    }

    @Test
    void shouldConvergeAfterEveryBackendFaultAndKeepHealthyEnvironmentsFlowing(TestKafka kafka, @TempDir Path work) {
        List<Fault> faults = new ArrayList<>();
        try (SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
                     .withForceDeleteDelay(Duration.ofMillis(300)));
             ServiceHarness harness = ServiceHarness.start(kafka, work, FaultSuites.POLICY, () -> FaultSuites.awsBackend(sm));
             EventPublisher publisher = new EventPublisher(kafka, harness.topics(), harness.serdes());
             AuditObserver audit = new AuditObserver(kafka.bootstrapServers(), harness.topics().audit(), harness.serdes())) {
            LoadPlan plan = new LoadPlan(23, "bf", harness.secretsRoot().toString(),
                    List.of(LoadPlan.Platform.SLURM, LoadPlan.Platform.AWS), 0.8, Duration.ofMillis(200), Duration.ofSeconds(3));
            plan.secretRecords().forEach(publisher::secret);
            publisher.flush();
            pause(Duration.ofSeconds(2));
            FilesystemOutage unmount = new FilesystemOutage(harness.secretsRoot());
            try (LoadDriver load = new LoadDriver(plan, publisher, RUNS_PER_SECOND).start()) {
                pause(GAP);

                long throttledBefore = sm.stats().throttled();
                long start = System.currentTimeMillis();
                sm.faults().quotaPerSecond(3);
                pause(WINDOW);
                sm.faults().quotaPerSecond(0);
                faults.add(new Fault("throttling storm (quota 3 req/s)", LoadPlan.Platform.AWS, start,
                        System.currentTimeMillis(), (sm.stats().throttled() - throttledBefore) + " throttled answers"));
                pause(GAP);

                long failedBefore = serverErrorAnswers(sm);
                start = System.currentTimeMillis();
                for (String operation : List.of(Operations.CREATE_SECRET, Operations.DELETE_SECRET, Operations.DESCRIBE_SECRET)) {
                    sm.faults().on(operation).serverError(SERVER_ERRORS);
                }
                pause(WINDOW);
                clear(sm);
                faults.add(new Fault("5xx burst (" + SERVER_ERRORS + " per operation)", LoadPlan.Platform.AWS, start,
                        System.currentTimeMillis(), (serverErrorAnswers(sm) - failedBefore) + " InternalServiceError answers"
                        + " to CreateSecret/DeleteSecret"));
                pause(GAP);

                long requestsBefore = sm.stats().totalRequests();
                start = System.currentTimeMillis();
                sm.faults().on(Operations.CREATE_SECRET).latency(Duration.ofMillis(1500));
                sm.faults().on(Operations.DELETE_SECRET).latency(Duration.ofMillis(1500));
                pause(WINDOW);
                clear(sm);
                faults.add(new Fault("latency spike (+1.5 s per create/delete)", LoadPlan.Platform.AWS, start,
                        System.currentTimeMillis(), (sm.stats().totalRequests() - requestsBefore) + " slowed requests"));
                pause(GAP);

                failedBefore = serverErrorAnswers(sm);
                requestsBefore = sm.stats().totalRequests();
                start = System.currentTimeMillis();
                for (String operation : Operations.ALL) {
                    sm.faults().on(operation).serverError(1_000_000);
                }
                pause(OUTAGE);
                clear(sm);
                faults.add(new Fault("Secrets Manager outage (every request 500)", LoadPlan.Platform.AWS, start,
                        System.currentTimeMillis(), (sm.stats().totalRequests() - requestsBefore) + " failed requests"));
                pause(GAP);

                start = System.currentTimeMillis();
                unmount.begin();
                pause(OUTAGE);
                unmount.end();
                faults.add(new Fault("shared filesystem unmounted (root missing)", LoadPlan.Platform.SLURM, start,
                        System.currentTimeMillis(), "every write and delete refused"));
                pause(GAP);

                load.finish(FaultSuites.WAIT);
                assertThat(publisher.failures()).as("sends that failed: " + publisher.firstFailure()).isZero();
                List<LoadPlan.Run> runs = load.launched();
                audit.awaitConverged(runs, load::completionSent, FaultSuites.WAIT);
                pause(Duration.ofSeconds(1));
                harness.stopService();

                Map<String, AuditEvent> events = audit.deduplicated();
                EndState.Figures figures = EndState.check(plan, runs, load::completionSent, audit.events(),
                        harness.secretsRoot(), sm, Set.of(AuditAction.PROVISION_RETRY_SCHEDULED, AuditAction.RELEASE_RETRY_SCHEDULED));
                System.out.printf("FAULTS backend faults (%s): %s%n", SIZE, figures.summary());
                for (Fault fault : faults) {
                    System.out.printf("FAULTS   %s on %s for %d ms: %s; every run launched by its end converged %d ms"
                                    + " after it; runs of the other environment launched during it: launch -> provisioned %s%n",
                            fault.kind(), fault.platform(), fault.end() - fault.start(), fault.injected(),
                            convergence(runs, load, events.values(), fault.end()),
                            FaultSuites.distribution(latencies(runs, load, events.values(), other(fault.platform()),
                                    fault.start(), fault.end())));
                }
                assertThat(figures.problems()).as("end-state problems").isEmpty();
                assertThat(figures.leaked() + figures.missing() + figures.duplicated()).isZero();
                assertThat(figures.otherActions()).as("the faults made the service retry")
                        .containsKey(AuditAction.PROVISION_RETRY_SCHEDULED);
                for (Fault outage : faults.subList(faults.size() - 2, faults.size())) {
                    assertHealthyFlowedAndAffectedWaited(runs, load, events.values(), outage);
                }
            } finally {
                unmount.end();
            }
        }
    }

    /**
     * During an outage of one backend: every run of the other compute environment launched early enough in the
     * window was provisioned before the window closed; and the affected environment's runs launched in the window
     * were not (so the outage was real).
     */
    private static void assertHealthyFlowedAndAffectedWaited(List<LoadPlan.Run> runs, LoadDriver load,
                                                             Collection<AuditEvent> events, Fault outage) {
        Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events, AuditAction.SECRETS_PROVISIONED);
        List<String> healthyLate = new ArrayList<>();
        int healthy = 0;
        int affectedWaited = 0;
        for (LoadPlan.Run run : runs) {
            long launchedAt = load.launchSentAt(run.runId());
            if (launchedAt < outage.start() || launchedAt > outage.end() - GRACE.toMillis()) {
                continue;
            }
            long provisionedAt = provisioned.get(run.runId()).getOccurredAt().toEpochMilli();
            if (run.platform() == outage.platform()) {
                affectedWaited += provisionedAt > outage.end() ? 1 : 0;
            } else {
                healthy++;
                if (provisionedAt > outage.end()) {
                    healthyLate.add(run.runId() + " (" + (provisionedAt - launchedAt) + " ms)");
                }
            }
        }
        assertThat(healthy).as("healthy runs launched during " + outage.kind()).isPositive();
        assertThat(healthyLate).as("healthy runs held up by " + outage.kind()).isEmpty();
        assertThat(affectedWaited).as("affected runs that waited for the end of " + outage.kind()).isPositive();
    }

    /** How long after {@code end} the last run launched before it reached the state it was due then. */
    private static long convergence(List<LoadPlan.Run> runs, LoadDriver load, Collection<AuditEvent> events, long end) {
        Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events, AuditAction.SECRETS_PROVISIONED);
        Map<String, AuditEvent> released = FaultSuites.firstByRun(events, AuditAction.SECRETS_RELEASED);
        long last = end;
        for (LoadPlan.Run run : runs) {
            if (load.launchSentAt(run.runId()) > end) {
                continue;
            }
            Long completedAt = load.completionSentAt(run.runId());
            AuditEvent target = completedAt != null && completedAt <= end ? released.get(run.runId()) : provisioned.get(run.runId());
            last = Math.max(last, target.getOccurredAt().toEpochMilli());
        }
        return last - end;
    }

    private static List<Long> latencies(List<LoadPlan.Run> runs, LoadDriver load, Collection<AuditEvent> events,
                                        LoadPlan.Platform platform, long from, long to) {
        Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events, AuditAction.SECRETS_PROVISIONED);
        List<Long> latencies = new ArrayList<>();
        for (LoadPlan.Run run : runs) {
            long launchedAt = load.launchSentAt(run.runId());
            if (run.platform() == platform && launchedAt >= from && launchedAt <= to) {
                latencies.add(provisioned.get(run.runId()).getOccurredAt().toEpochMilli() - launchedAt);
            }
        }
        return latencies;
    }

    private static LoadPlan.Platform other(LoadPlan.Platform platform) {
        return platform == LoadPlan.Platform.AWS ? LoadPlan.Platform.SLURM : LoadPlan.Platform.AWS;
    }

    private static long serverErrorAnswers(SecretsManagerDouble sm) {
        return sm.stats().calls().stream().filter(c -> c.outcome() == SecretCall.Outcome.FAILED
                && "InternalServiceError".equals(c.errorCode())).count();
    }

    private static void clear(SecretsManagerDouble sm) {
        for (String operation : Operations.ALL) {
            sm.faults().on(operation).clear();
        }
    }
}
