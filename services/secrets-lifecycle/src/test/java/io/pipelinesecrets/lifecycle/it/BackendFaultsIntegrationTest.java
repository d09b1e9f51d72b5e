package io.pipelinesecrets.lifecycle.it;

import io.grpc.Status;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.Operations;
import io.pipelinesecrets.testing.aws.SecretCall;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static io.pipelinesecrets.lifecycle.it.FaultSuites.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backend faults on every backend while runs flow to three compute environments, one per backend (Slurm on the
 * shared filesystem, AWS Batch on Secrets Manager, Google Batch on Secret Manager): throttling storms, bursts of
 * server errors and latency spikes on both cloud backends, then each backend down for a while (Secrets Manager
 * answering every request with a 500, Secret Manager every call UNAVAILABLE, the shared filesystem's root gone as
 * when unmounted). While one compute environment's backend is down, the others' runs must keep flowing —
 * provisioned within the outage — and once it recovers every run must converge: provisioned, released when
 * completed, nothing left behind.
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
    /** Runs of each healthy environment that must be provisioned during an outage of another backend before it ends. */
    private static final int HEALTHY_RUNS = SIZE.pick(5, 20);
    /** About a third of the runs on each platform: as many per platform as with two platforms at 8 and 12 a second. */
    private static final double RUNS_PER_SECOND = SIZE.pick(12.0, 18.0);
    /**
     * Secret Manager's quota per project (600 writes and 600 reads a minute) scaled to a second and far below the
     * load, as the Secrets Manager storm's 2 requests a second.
     */
    private static final int GOOGLE_QUOTA = 3;
    /**
     * Calls the quota itself must refuse during the storm: the scripted refusals come first and alone reach
     * {@link #STORM}, so without this the storm could end before the quota ever bit.
     */
    private static final int QUOTA_REFUSALS = SIZE.pick(20, 100);
    private static final List<String> GOOGLE_WRITES = List.of("CreateSecret", "AddSecretVersion", "DeleteSecret");
    /** Every Secret Manager method the backend calls while provisioning and releasing (not the reconciler's list). */
    private static final List<String> GOOGLE_METHODS = List.of("CreateSecret", "AddSecretVersion", "DeleteSecret",
            "GetSecret", "AccessSecretVersion");

    /** One injected fault: what, when, how much, on which platform's backend; an outage takes the backend down. */
    private record Fault(String kind, LoadPlan.Platform platform, boolean outage, long start, long end, String injected) {
    }

    @Test
    void shouldConvergeAfterEveryBackendFaultAndKeepHealthyEnvironmentsFlowing(TestKafka kafka, @TempDir Path work) {
        List<Fault> faults = new ArrayList<>();
        try (SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
                     .withForceDeleteDelay(Duration.ofMillis(300)));
             SecretManagerDouble google = SecretManagerDouble.start();
             ServiceHarness harness = ServiceHarness.start(kafka, work, FaultSuites.POLICY, () -> {
                 List<SecretsBackend> backends = new ArrayList<>(FaultSuites.awsBackend(sm));
                 backends.addAll(FaultSuites.googleBackend(google));
                 return backends;
             });
             EventPublisher publisher = new EventPublisher(kafka, harness.topics(), harness.serdes());
             AuditObserver audit = new AuditObserver(kafka.bootstrapServers(), harness.topics().audit(), harness.serdes())) {
            LoadPlan plan = new LoadPlan(23, "bf", harness.secretsRoot().toString(), List.of(LoadPlan.Platform.values()),
                    0.8, Duration.ofMillis(200), Duration.ofSeconds(3));
            plan.secretRecords().forEach(publisher::secret);
            publisher.flush();
            harness.awaitSecretsVisible(plan.secretRecords().size());
            FilesystemOutage unmount = new FilesystemOutage(harness.secretsRoot());
            try (LoadDriver load = new LoadDriver(plan, publisher, RUNS_PER_SECOND).start()) {
                pause(GAP);
                awsFaults(sm, faults);
                googleFaults(google, faults);

                long outageRequestsBefore = sm.stats().totalRequests();
                long awsDown = System.currentTimeMillis();
                for (String operation : Operations.ALL) {
                    sm.faults().on(operation).serverError(1_000_000);
                }
                lastUntilHealthyFlowed(OUTAGE, load, audit, LoadPlan.Platform.AWS, awsDown);
                clear(sm);
                faults.add(new Fault("Secrets Manager outage (every request 500)", LoadPlan.Platform.AWS, true, awsDown,
                        System.currentTimeMillis(), (sm.stats().totalRequests() - outageRequestsBefore) + " failed requests"));
                pause(GAP);

                long unavailableBefore = answers(google, GOOGLE_METHODS, Status.Code.UNAVAILABLE);
                long googleDown = System.currentTimeMillis();
                google.faults().outage(true);
                lastUntilHealthyFlowed(OUTAGE, load, audit, LoadPlan.Platform.GOOGLE, googleDown);
                clear(google);
                faults.add(new Fault("Secret Manager outage (every call UNAVAILABLE)", LoadPlan.Platform.GOOGLE, true,
                        googleDown, System.currentTimeMillis(), (answers(google, GOOGLE_METHODS, Status.Code.UNAVAILABLE)
                        - unavailableBefore) + " failed calls"));
                pause(GAP);

                long fsDown = System.currentTimeMillis();
                unmount.begin();
                lastUntilHealthyFlowed(OUTAGE, load, audit, LoadPlan.Platform.SLURM, fsDown);
                unmount.end();
                faults.add(new Fault("shared filesystem unmounted (root missing)", LoadPlan.Platform.SLURM, true, fsDown,
                        System.currentTimeMillis(), retriesDuring(audit, "SECRETS_PATH_MISSING", fsDown,
                        System.currentTimeMillis()) + " retries scheduled for SECRETS_PATH_MISSING"));
                pause(GAP);

                List<LoadPlan.Run> runs = FaultSuites.finishAndConverge(load, publisher, audit, harness.settled(), FaultSuites.WAIT);
                harness.stopService();

                Map<String, AuditEvent> events = audit.deduplicated();
                EndState.Figures figures = EndState.check(plan, runs, load::completionSent, audit.events(),
                        harness.secretsRoot(), sm, google,
                        Set.of(AuditAction.PROVISION_RETRY_SCHEDULED, AuditAction.RELEASE_RETRY_SCHEDULED));
                List<Long> baseline = latencies(runs, load, events.values(), EnumSet.allOf(LoadPlan.Platform.class), 0,
                        faults.get(0).start());
                System.out.printf("FAULTS backend faults (%s): %d faults injected, %d rebalances, %s; before any fault:"
                                + " launch -> provisioned %s%n", SIZE, faults.size(), harness.rebalances(), figures.summary(),
                        FaultSuites.distribution(baseline));
                for (Fault fault : faults) {
                    System.out.printf("FAULTS   %s on %s for %d ms: %s; every run launched by its end converged %d ms"
                                    + " after it; runs of the other environments launched during it: launch -> provisioned"
                                    + " %s%n",
                            fault.kind(), fault.platform(), fault.end() - fault.start(), fault.injected(),
                            convergence(runs, load, events.values(), fault.end()),
                            FaultSuites.distribution(latencies(runs, load, events.values(),
                                    EnumSet.complementOf(EnumSet.of(fault.platform())), fault.start(), fault.end())));
                }
                assertThat(figures.problems()).as("end-state problems").isEmpty();
                assertThat(figures.leaked() + figures.missing() + figures.duplicated()).isZero();
                assertThat(figures.otherActions()).as("the faults made the service retry")
                        .containsKey(AuditAction.PROVISION_RETRY_SCHEDULED);
                // The double answered them; the service must have taken them for what they are: retryable.
                assertThat(retriesDuring(audit, "RESOURCE_EXHAUSTED", 0, Long.MAX_VALUE))
                        .as("retries after RESOURCE_EXHAUSTED").isPositive();
                assertThat(retriesDuring(audit, "UNAVAILABLE", 0, Long.MAX_VALUE)).as("retries after UNAVAILABLE")
                        .isPositive();
                for (Fault outage : faults.stream().filter(Fault::outage).toList()) {
                    assertAffectedRunsWaited(runs, load, events.values(), outage);
                }
            } finally {
                unmount.end();
            }
        }
    }

    /** Throttling, then 5xx, then latency on Secrets Manager, each for a window, with a gap of healthy load after each. */
    private static void awsFaults(SecretsManagerDouble sm, List<Fault> faults) {
        long throttledBefore = sm.stats().throttled();
        long start = System.currentTimeMillis();
        sm.faults().quotaPerSecond(2);
        sm.faults().on(Operations.CREATE_SECRET).throttle(STORM);
        sm.faults().on(Operations.DELETE_SECRET).throttle(STORM);
        lastAtLeast(WINDOW, () -> sm.stats().throttled() - throttledBefore, STORM);
        sm.faults().quotaPerSecond(0);
        clear(sm);
        faults.add(new Fault("throttling storm (quota 2 req/s + " + STORM + " throttles per operation)",
                LoadPlan.Platform.AWS, false, start, System.currentTimeMillis(),
                (sm.stats().throttled() - throttledBefore) + " throttled answers"));
        pause(GAP);

        long failedBefore = serverErrorAnswers(sm);
        start = System.currentTimeMillis();
        for (String operation : List.of(Operations.CREATE_SECRET, Operations.DELETE_SECRET, Operations.DESCRIBE_SECRET)) {
            sm.faults().on(operation).serverError(SERVER_ERRORS);
        }
        lastAtLeast(WINDOW, () -> serverErrorAnswers(sm) - failedBefore, SERVER_ERRORS);
        clear(sm);
        faults.add(new Fault("5xx burst (" + SERVER_ERRORS + " per operation)", LoadPlan.Platform.AWS, false, start,
                System.currentTimeMillis(), (serverErrorAnswers(sm) - failedBefore) + " InternalServiceError answers"
                + " to CreateSecret/DeleteSecret"));
        pause(GAP);

        long requestsBefore = sm.stats().totalRequests();
        start = System.currentTimeMillis();
        sm.faults().on(Operations.CREATE_SECRET).latency(Duration.ofMillis(1500));
        sm.faults().on(Operations.DELETE_SECRET).latency(Duration.ofMillis(1500));
        lastAtLeast(WINDOW, () -> sm.stats().totalRequests() - requestsBefore, 20);
        clear(sm);
        faults.add(new Fault("latency spike (+1.5 s per create/delete)", LoadPlan.Platform.AWS, false, start,
                System.currentTimeMillis(), (sm.stats().totalRequests() - requestsBefore) + " slowed requests"));
        pause(GAP);
    }

    /**
     * The same on Secret Manager: a RESOURCE_EXHAUSTED storm (Google's quota, scaled down to seconds, and scripted
     * refusals of every write), an UNAVAILABLE burst, then latency on every call.
     */
    private static void googleFaults(SecretManagerDouble google, List<Fault> faults) {
        long exhaustedBefore = answers(google, GOOGLE_METHODS, Status.Code.RESOURCE_EXHAUSTED);
        long quotaBefore = google.quotas().refused();
        long start = System.currentTimeMillis();
        google.quotas().limit(GOOGLE_QUOTA, GOOGLE_QUOTA, Duration.ofSeconds(1));
        for (String method : GOOGLE_WRITES) {
            google.faults().failNext(method, Status.Code.RESOURCE_EXHAUSTED, STORM);
        }
        lastAtLeast(WINDOW, () -> answers(google, GOOGLE_METHODS, Status.Code.RESOURCE_EXHAUSTED) - exhaustedBefore, STORM);
        lastAtLeast(Duration.ZERO, () -> google.quotas().refused() - quotaBefore, QUOTA_REFUSALS);
        clear(google);
        faults.add(new Fault("RESOURCE_EXHAUSTED storm (quota " + GOOGLE_QUOTA + " writes and reads/s + " + STORM
                + " per write method)", LoadPlan.Platform.GOOGLE, false, start, System.currentTimeMillis(),
                (answers(google, GOOGLE_METHODS, Status.Code.RESOURCE_EXHAUSTED) - exhaustedBefore)
                        + " RESOURCE_EXHAUSTED answers (" + (google.quotas().refused() - quotaBefore) + " by the quota)"));
        pause(GAP);

        long unavailableBefore = answers(google, GOOGLE_METHODS, Status.Code.UNAVAILABLE);
        start = System.currentTimeMillis();
        for (String method : GOOGLE_METHODS) {
            google.faults().failNext(method, Status.Code.UNAVAILABLE, SERVER_ERRORS);
        }
        lastAtLeast(WINDOW, () -> answers(google, GOOGLE_METHODS, Status.Code.UNAVAILABLE) - unavailableBefore,
                SERVER_ERRORS);
        clear(google);
        faults.add(new Fault("UNAVAILABLE burst (" + SERVER_ERRORS + " per method)", LoadPlan.Platform.GOOGLE, false,
                start, System.currentTimeMillis(), (answers(google, GOOGLE_METHODS, Status.Code.UNAVAILABLE)
                - unavailableBefore) + " UNAVAILABLE answers to " + String.join("/", GOOGLE_METHODS)));
        pause(GAP);

        long callsBefore = calls(google);
        start = System.currentTimeMillis();
        google.faults().latency(Duration.ofMillis(1500));
        lastAtLeast(WINDOW, () -> calls(google) - callsBefore, 20);
        clear(google);
        faults.add(new Fault("latency spike (+1.5 s per call)", LoadPlan.Platform.GOOGLE, false, start,
                System.currentTimeMillis(), (calls(google) - callsBefore) + " slowed calls"));
        pause(GAP);
    }

    /**
     * No run of the environment whose backend was down, launched during the outage, was provisioned before it ended
     * (the outage was real); at least one was launched then. The healthy environments' runs flowed meanwhile: the
     * outage lasted until some of each were provisioned ({@link #lastUntilHealthyFlowed}).
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
                                        Set<LoadPlan.Platform> platforms, long from, long to) {
        Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events, AuditAction.SECRETS_PROVISIONED);
        List<Long> latencies = new ArrayList<>();
        for (LoadPlan.Run run : runs) {
            long launchedAt = load.launchSentAt(run.runId());
            if (platforms.contains(run.platform()) && launchedAt >= from && launchedAt <= to && provisioned.containsKey(run.runId())) {
                latencies.add(provisioned.get(run.runId()).getOccurredAt().toEpochMilli() - launchedAt);
            }
        }
        return latencies;
    }

    /** Keeps a fault on at least {@code minimum} and until it has been met {@code count} times. */
    private static void lastAtLeast(Duration minimum, LongSupplier injected, long count) {
        pause(minimum);
        Await.atMost(FaultSuites.WAIT).every(Duration.ofMillis(100)).until("the fault met " + count + " times",
                injected::getAsLong, met -> met >= count, met -> "met " + met + " times");
    }

    /**
     * Keeps an outage of {@code down}'s backend on at least {@code minimum} and until runs of every other environment
     * launched after it began have been provisioned while it lasts (a backend that blocks the service, or one
     * backend's outage holding up another's calls, makes this time out).
     */
    private static void lastUntilHealthyFlowed(Duration minimum, LoadDriver load, AuditObserver audit,
                                               LoadPlan.Platform down, long since) {
        pause(minimum);
        Set<LoadPlan.Platform> healthy = EnumSet.complementOf(EnumSet.of(down));
        audit.await(HEALTHY_RUNS + " runs of each of " + healthy + " launched during the outage provisioned during it",
                events -> {
                    Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events.values(),
                            AuditAction.SECRETS_PROVISIONED);
                    Map<LoadPlan.Platform, Long> flowed = load.launched().stream()
                            .filter(run -> load.launchSentAt(run.runId()) > since && provisioned.containsKey(run.runId()))
                            .collect(Collectors.groupingBy(LoadPlan.Run::platform, Collectors.counting()));
                    return healthy.stream().allMatch(platform -> flowed.getOrDefault(platform, 0L) >= HEALTHY_RUNS);
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

    private static long answers(SecretManagerDouble google, List<String> methods, Status.Code code) {
        return methods.stream().mapToLong(method -> google.state().answers(method, code)).sum();
    }

    private static long calls(SecretManagerDouble google) {
        return GOOGLE_METHODS.stream().mapToLong(method -> google.state().calls(method)).sum();
    }

    private static void clear(SecretManagerDouble google) {
        google.faults().clear();
        google.quotas().off();
    }
}
