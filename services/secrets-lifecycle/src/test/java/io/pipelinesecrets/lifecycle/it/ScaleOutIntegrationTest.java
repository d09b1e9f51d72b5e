package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pipelinesecrets.lifecycle.it.FaultSuites.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the service with one application id share the load; one is stopped cleanly (as in a scale-down
 * or a rolling restart) and later started again, while runs keep flowing. The runs the stopped instance held must
 * move with their partitions: their run state is restored by the other instance, which releases them when their
 * completions arrive. Same end-state checks as every fault suite.
 *
 * <p>Sizes ({@link FaultSize}): smoke-sized in every {@code mvn verify}, one stop/start cycle with 3 s phases; full size with the {@code faults}
 * profile ({@code -Pfaults}, i.e. {@code -Dfaults.size=full}), 4 cycles with 10 s phases.
 */
@ExtendWith(KafkaClusterExtension.class)
@Tag("faults")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ScaleOutIntegrationTest {

    private static final FaultSize SIZE = FaultSize.current();
    private static final int CYCLES = SIZE.pick(1, 4);
    private static final Duration PHASE = SIZE.pick(Duration.ofSeconds(3), Duration.ofSeconds(10));
    private static final double RUNS_PER_SECOND = SIZE.pick(6.0, 10.0);

    /** One stop and start of an instance, and the runs it held when stopped. */
    private record Cycle(String instance, long stoppedAt, long stopMillis, long startedAt, long startMillis,
                         List<String> heldRuns) {
    }

    @Test
    void shouldMoveRunStateWithPartitionsWhenAnInstanceStopsAndReturns(TestKafka kafka, @TempDir Path work) {
        List<Cycle> cycles = new ArrayList<>();
        try (SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
                     .withForceDeleteDelay(Duration.ofMillis(300)));
             ServiceHarness first = ServiceHarness.start(kafka, work.resolve("a"), FaultSuites.POLICY,
                     () -> FaultSuites.awsBackend(sm));
             ServiceHarness second = ServiceHarness.startPeer(first, work.resolve("b"));
             EventPublisher publisher = new EventPublisher(kafka, first.topics(), first.serdes());
             AuditObserver audit = new AuditObserver(kafka.bootstrapServers(), first.topics().audit(), first.serdes())) {
            // Long completion delays, so that runs are active on the instance when it stops and complete meanwhile.
            LoadPlan plan = new LoadPlan(31, "so", first.secretsRoot().toString(),
                    List.of(LoadPlan.Platform.SLURM, LoadPlan.Platform.AWS), 0.85, Duration.ofMillis(300),
                    PHASE.multipliedBy(2));
            plan.secretRecords().forEach(publisher::secret);
            publisher.flush();
            first.awaitSecretsVisible(plan.secretRecords().size());
            second.awaitSecretsVisible(plan.secretRecords().size());
            try (LoadDriver load = new LoadDriver(plan, publisher, RUNS_PER_SECOND).start()) {
                pause(PHASE);
                for (int c = 0; c < CYCLES; c++) {
                    ServiceHarness stopping = c % 2 == 0 ? second : first;
                    List<String> held = activeRunsHeldBy(stopping, load);
                    long stoppedAt = System.currentTimeMillis();
                    stopping.stopService();
                    long stopMillis = System.currentTimeMillis() - stoppedAt;
                    pause(PHASE);
                    // Stays down until the other instance has released every held run whose completion came meanwhile
                    // (and at least one): their state can only have reached it with their partitions.
                    audit.await("the held runs completed so far released by the other instance", events -> {
                        List<String> completed = held.stream().filter(load::completionSent).toList();
                        return !completed.isEmpty() && completed.stream().allMatch(id -> events.values().stream()
                                .anyMatch(e -> id.equals(e.getRunId()) && e.getAction() == AuditAction.SECRETS_RELEASED));
                    }, FaultSuites.WAIT);
                    ServiceHarness remaining = stopping == first ? second : first;
                    Await.atMost(FaultSuites.WAIT).until("the remaining instance to hold the first lifecycle task"
                                    + " (it runs the periodic reconciler)", () -> remaining.service().holdsFirstTask(),
                            holds -> holds, holds -> "holds it: " + holds);
                    long startedAt = System.currentTimeMillis();
                    stopping.startService();
                    long startMillis = System.currentTimeMillis() - startedAt;
                    cycles.add(new Cycle(stopping == first ? "first" : "second", stoppedAt, stopMillis, startedAt,
                            startMillis, held));
                    pause(PHASE);
                }
                List<LoadPlan.Run> runs = FaultSuites.finishAndConverge(load, publisher, audit,
                        new Settled(kafka.bootstrapServers(), first.applicationId(), List.of(first.topics().launched(),
                                first.topics().completed()), Settled.Activity.allOf(List.of(first::inFlight, second::inFlight))),
                        FaultSuites.WAIT);
                first.stopService();
                second.stopService();

                Map<String, AuditEvent> released = FaultSuites.firstByRun(audit.deduplicated().values(),
                        AuditAction.SECRETS_RELEASED);
                EndState.Figures figures = EndState.check(plan, runs, load::completionSent, audit.events(),
                        first.secretsRoot(), sm, Set.of());
                int rebalances = first.rebalances() + second.rebalances();
                System.out.printf("FAULTS scale-out (%s): 2 instances, %d stop/start cycles, %d rebalances (first %d,"
                        + " second %d), %s%n", SIZE, cycles.size(), rebalances, first.rebalances(), second.rebalances(),
                        figures.summary());
                int movedAndReleased = 0;
                for (Cycle cycle : cycles) {
                    List<String> completedWhileDown = cycle.heldRuns().stream().filter(id -> {
                        Long completedAt = load.completionSentAt(id);
                        return completedAt != null && completedAt > cycle.stoppedAt() && completedAt < cycle.startedAt();
                    }).toList();
                    List<Long> handover = new ArrayList<>();
                    List<String> releasedByTheOther = new ArrayList<>();
                    for (String runId : completedWhileDown) {
                        AuditEvent release = released.get(runId);
                        if (release != null && release.getOccurredAt().toEpochMilli() < cycle.startedAt()) {
                            releasedByTheOther.add(runId);
                            handover.add(release.getOccurredAt().toEpochMilli() - load.completionSentAt(runId));
                        }
                    }
                    movedAndReleased += releasedByTheOther.size();
                    System.out.printf("FAULTS   %s instance stopped (clean close %d ms) for %d ms, restarted in %d ms: it"
                                    + " held %d active runs; %d completed while it was down, %d of them released by the"
                                    + " other instance before it returned: completion -> released %s%n",
                            cycle.instance(), cycle.stopMillis(), cycle.startedAt() - cycle.stoppedAt(), cycle.startMillis(),
                            cycle.heldRuns().size(), completedWhileDown.size(), releasedByTheOther.size(),
                            FaultSuites.distribution(handover));
                }
                assertThat(figures.problems()).as("end-state problems").isEmpty();
                assertThat(figures.leaked() + figures.missing() + figures.duplicated()).isZero();
                assertThat(movedAndReleased).as("runs released by the other instance while theirs was down").isPositive();
                // Each instance rebalances when it starts, when the other stops and when the other returns.
                assertThat(rebalances).isGreaterThanOrEqualTo(2 + 2 * CYCLES);
            }
        }
    }

    /** The active runs that will complete (not yet) whose state the instance holds, asked through its store. */
    private static List<String> activeRunsHeldBy(ServiceHarness instance, LoadDriver load) {
        // The store is not queryable while the instance rebalances: not yet.
        return Await.atMost(FaultSuites.WAIT).every(Duration.ofMillis(200)).ignoring(InvalidStateStoreException.class)
                .until("the instance to hold an active run that will complete", () -> {
                    List<String> held = new ArrayList<>();
                    for (LoadPlan.Run run : load.launched()) {
                        if (!run.completes() || load.completionSent(run.runId())) {
                            continue;
                        }
                        Optional<RunState> state = instance.service().run(run.runId());
                        if (state.isPresent() && state.get().phase() == Phase.ACTIVE) {
                            held.add(run.runId());
                        }
                    }
                    return held;
                }, held -> !held.isEmpty(), held -> "none among " + load.launchedCount() + " launched runs");
    }
}
