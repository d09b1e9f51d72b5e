package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.testing.await.Await;
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
import java.util.function.LongSupplier;

import static io.pipelinesecrets.lifecycle.it.FaultSuites.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backend faults on both backends while runs flow to two compute environments, one per backend: throttling
 * storms, bursts of 5xx and latency spikes on Secrets Manager, then each backend down for a while (Secrets
 * Manager answering every request with an error; the shared filesystem's root gone as when unmounted). While
 * one compute environment's backend is down, the other's runs must keep flowing — provisioned within the outage —
 * and once it recovers every run must converge: provisioned, released when completed, nothing left behind.
 *
 * <p>Sizes ({@link FaultSize}): smoke-sized in every {@code mvn verify}, each fault once for 2-3 s, 1 s apart; full size with the {@code faults}
 * profile ({@code -Pfaults}, i.e. {@code -Dfaults.size=full}), 8-15 s faults 5 s apart, 5x the throttles and errors.
 */
@ExtendWith(KafkaClusterExtension.class)
@Tag("faults")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BackendFaultsIntegrationTest {

    private static final FaultSize SIZE = FaultSize.current();
    private static final Duration WINDOW = SIZE.pick(Duration.ofSeconds(2), Duration.ofSeconds(8));
    private static final Duration OUTAGE = SIZE.pick(Duration.ofSeconds(3), Duration.ofSeconds(15));
    private static final Duration GAP = SIZE.pick(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final int SERVER_ERRORS = SIZE.pick(40, 200);
    private static final int STORM = SIZE.pick(60, 300);
    /** Healthy runs that must be provisioned during an outage of the other backend before it ends. */
    private static final int HEALTHY_RUNS = SIZE.pick(5, 20);
    private static final double RUNS_PER_SECOND = SIZE.pick(8.0, 12.0);

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
            harness.awaitSecretsVisible(plan.secretRecords().size());
            FilesystemOutage unmount = new FilesystemOutage(harness.secretsRoot());
            try (LoadDriver load = new LoadDriver(plan, publisher, RUNS_PER_SECOND).start()) {
                pause(GAP);

                long throttledBefore = sm.stats().throttled();
                long start = System.currentTimeMillis();
                sm.faults().quotaPerSecond(2);
                sm.faults().on(Operations.CREATE_SECRET).throttle(STORM);
                sm.faults().on(Operations.DELETE_SECRET).throttle(STORM);
                lastAtLeast(WINDOW, () -> sm.stats().throttled() - throttledBefore, STORM);
                sm.faults().quotaPerSecond(0);
                clear(sm);
                faults.add(new Fault("throttling storm (quota 2 req/s + " + STORM + " throttles per operation)",
                        LoadPlan.Platform.AWS, start, System.currentTimeMillis(),
                        (sm.stats().throttled() - throttledBefore) + " throttled answers"));
                pause(GAP);

                long failedBefore = serverErrorAnswers(sm);
                start = System.currentTimeMillis();
                for (String operation : List.of(Operations.CREATE_SECRET, Operations.DELETE_SECRET, Operations.DESCRIBE_SECRET)) {
                    sm.faults().on(operation).serverError(SERVER_ERRORS);
                }
                lastAtLeast(WINDOW, () -> serverErrorAnswers(sm) - failedBefore, SERVER_ERRORS);
                clear(sm);
                faults.add(new Fault("5xx burst (" + SERVER_ERRORS + " per operation)", LoadPlan.Platform.AWS, start,
                        System.currentTimeMillis(), (serverErrorAnswers(sm) - failedBefore) + " InternalServiceError answers"
                        + " to CreateSecret/DeleteSecret"));
                pause(GAP);

                long requestsBefore = sm.stats().totalRequests();
                start = System.currentTimeMillis();
                sm.faults().on(Operations.CREATE_SECRET).latency(Duration.ofMillis(1500));
                sm.faults().on(Operations.DELETE_SECRET).latency(Duration.ofMillis(1500));
                lastAtLeast(WINDOW, () -> sm.stats().totalRequests() - requestsBefore, 20);
                clear(sm);
                faults.add(new Fault("latency spike (+1.5 s per create/delete)", LoadPlan.Platform.AWS, start,
                        System.currentTimeMillis(), (sm.stats().totalRequests() - requestsBefore) + " slowed requests"));
                pause(GAP);

                long outageRequestsBefore = sm.stats().totalRequests();
                long awsDown = System.currentTimeMillis();
                for (String operation : Operations.ALL) {
                    sm.faults().on(operation).serverError(1_000_000);
                }
                lastUntilHealthyFlowed(OUTAGE, load, audit, LoadPlan.Platform.SLURM, awsDown);
                clear(sm);
                faults.add(new Fault("Secrets Manager outage (every request 500)", LoadPlan.Platform.AWS, awsDown,
                        System.currentTimeMillis(), (sm.stats().totalRequests() - outageRequestsBefore) + " failed requests"));
                pause(GAP);

                long fsDown = System.currentTimeMillis();
                unmount.begin();
                lastUntilHealthyFlowed(OUTAGE, load, audit, LoadPlan.Platform.AWS, fsDown);
                unmount.end();
                faults.add(new Fault("shared filesystem unmounted (root missing)", LoadPlan.Platform.SLURM, fsDown,
                        System.currentTimeMillis(), retriesDuring(audit, "SECRETS_PATH_MISSING", fsDown,
                        System.currentTimeMillis()) + " retries scheduled for SECRETS_PATH_MISSING"));
                pause(GAP);

                List<LoadPlan.Run> runs = FaultSuites.finishAndConverge(load, publisher, audit, harness.settled(), FaultSuites.WAIT);
                harness.stopService();

                Map<String, AuditEvent> events = audit.deduplicated();
                EndState.Figures figures = EndState.check(plan, runs, load::completionSent, audit.events(),
                        harness.secretsRoot(), sm, Set.of(AuditAction.PROVISION_RETRY_SCHEDULED, AuditAction.RELEASE_RETRY_SCHEDULED));
                List<Long> baseline = latencies(runs, load, events.values(), null, 0, faults.get(0).start());
                System.out.printf("FAULTS backend faults (%s): %d faults injected, %d rebalances, %s; before any fault:"
                                + " launch -> provisioned %s%n", SIZE, faults.size(), harness.rebalances(), figures.summary(),
                        FaultSuites.distribution(baseline));
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
                    assertAffectedRunsWaited(runs, load, events.values(), outage);
                }
            } finally {
                unmount.end();
            }
        }
    }

    /**
     * No run of the environment whose backend was down, launched during the outage, was provisioned before it ended
     * (the outage was real); at least one was launched then. The healthy environment's runs flowed meanwhile: the
     * outage lasted until some of them were provisioned ({@link #lastUntilHealthyFlowed}).
     */
    private static void assertAffectedRunsWaited(List<LoadPlan.Run> runs, LoadDriver load, Collection<AuditEvent> events,
                                                 Fault outage) {
        Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events, AuditAction.SECRETS_PROVISIONED);
        int affected = 0;
        List<String> early = new ArrayList<>();
        for (LoadPlan.Run run : runs) {
            long launchedAt = load.launchSentAt(run.runId());
            if (run.platform() != outage.platform() || launchedAt < outage.start() || launchedAt > outage.end()) {
                continue;
            }
            affected++;
            AuditEvent done = provisioned.get(run.runId());
            if (done != null && done.getOccurredAt().toEpochMilli() <= outage.end()) {
                early.add(run.runId());
            }
        }
        assertThat(affected).as("runs launched on " + outage.platform() + " during " + outage.kind()).isPositive();
        assertThat(early).as("runs provisioned on " + outage.platform() + " during " + outage.kind()).isEmpty();
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
            // Due provisioned, unless completed by then; a run that completed before it could be provisioned is
            // done when released.
            AuditEvent target = completedAt != null && completedAt <= end || !provisioned.containsKey(run.runId())
                    ? released.get(run.runId()) : provisioned.get(run.runId());
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
            boolean wanted = platform == null || run.platform() == platform;
            if (wanted && launchedAt >= from && launchedAt <= to && provisioned.containsKey(run.runId())) {
                latencies.add(provisioned.get(run.runId()).getOccurredAt().toEpochMilli() - launchedAt);
            }
        }
        return latencies;
    }

    private static LoadPlan.Platform other(LoadPlan.Platform platform) {
        return platform == LoadPlan.Platform.AWS ? LoadPlan.Platform.SLURM : LoadPlan.Platform.AWS;
    }

    /** Keeps a fault on at least {@code minimum} and until it has been met {@code count} times. */
    private static void lastAtLeast(Duration minimum, LongSupplier injected, long count) {
        pause(minimum);
        Await.atMost(FaultSuites.WAIT).every(Duration.ofMillis(100)).until("the fault met " + count + " times",
                injected::getAsLong, met -> met >= count, met -> "met " + met + " times");
    }

    /**
     * Keeps an outage on at least {@code minimum} and until runs of the healthy environment launched after it began
     * have been provisioned while it lasts (a backend that blocks the service makes this time out).
     */
    private static void lastUntilHealthyFlowed(Duration minimum, LoadDriver load, AuditObserver audit,
                                               LoadPlan.Platform healthy, long since) {
        pause(minimum);
        audit.await(HEALTHY_RUNS + " " + healthy + " runs launched during the outage provisioned during it", events -> {
            Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events.values(), AuditAction.SECRETS_PROVISIONED);
            return load.launched().stream().filter(run -> run.platform() == healthy && load.launchSentAt(run.runId()) > since
                    && provisioned.containsKey(run.runId())).count() >= HEALTHY_RUNS;
        }, FaultSuites.WAIT);
    }

    private static long retriesDuring(AuditObserver audit, String errorCode, long from, long to) {
        return audit.deduplicated().values().stream().filter(e -> errorCode.equals(e.getErrorCode())
                && (e.getAction() == AuditAction.PROVISION_RETRY_SCHEDULED || e.getAction() == AuditAction.RELEASE_RETRY_SCHEDULED)
                && e.getOccurredAt().toEpochMilli() >= from && e.getOccurredAt().toEpochMilli() <= to).count();
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
