package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.kafka.KafkaBrokers;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.pipelinesecrets.lifecycle.it.FaultSuites.pause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A three-broker cluster (replication 3, min.insync.replicas 2) loses the broker that leads every partition of the
 * workflow and secrets topics while runs flow, and gets it back: first by a controlled shutdown, then (full size)
 * by a stop that does not wait for leadership to move. No event may be lost or processed twice in effect: exactly
 * one SECRETS_PROVISIONED (and for a completed run one SECRETS_RELEASED) per run once de-duplicated, nothing left
 * in either backend.
 *
 * <p>Sizes ({@link FaultSize}): smoke-sized in every {@code mvn verify}, one controlled shutdown of the leader, down 3 s; full size with the {@code faults}
 * profile ({@code -Pfaults}, i.e. {@code -Dfaults.size=full}), 4 leader failures, every other one without a controlled shutdown, down 10 s each.
 */
@ExtendWith(KafkaClusterExtension.class)
@KafkaBrokers(3)
@Tag("faults")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BrokerFailureIntegrationTest {

    private static final FaultSize SIZE = FaultSize.current();
    private static final int ROUNDS = SIZE.pick(1, 4);
    private static final Duration DOWN = SIZE.pick(Duration.ofSeconds(3), Duration.ofSeconds(10));
    private static final Duration BETWEEN = SIZE.pick(Duration.ofSeconds(2), Duration.ofSeconds(8));
    private static final double RUNS_PER_SECOND = SIZE.pick(8.0, 12.0);

    /** One broker failure: which broker, how, when it went and came back, and when the service progressed again. */
    private record Failure(int broker, String how, long stoppedAt, long stopMillis, long restartedAt, long isrMillis) {
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenTheLeaderBrokerFailsAndReturns(TestKafka kafka, @TempDir Path work) throws Exception {
        assumeTrue(kafka.cluster().brokerIds().size() == 3, "needs the in-JVM three-broker cluster");
        List<Failure> failures = new ArrayList<>();
        try (SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
                     .withForceDeleteDelay(Duration.ofMillis(300)));
             ServiceHarness harness = ServiceHarness.start(kafka, work, FaultSuites.POLICY, () -> FaultSuites.awsBackend(sm));
             EventPublisher publisher = new EventPublisher(kafka, harness.topics(), harness.serdes());
             AuditObserver audit = new AuditObserver(kafka.bootstrapServers(), harness.topics().audit(), harness.serdes());
             Admin admin = kafka.admin()) {
            List<String> watched = List.of(harness.topics().launched(), harness.topics().completed(), harness.topics().secrets());
            LoadPlan plan = new LoadPlan(41, "bk", harness.secretsRoot().toString(),
                    List.of(LoadPlan.Platform.SLURM, LoadPlan.Platform.AWS), 0.8, Duration.ofMillis(200),
                    SIZE.pick(Duration.ofSeconds(3), Duration.ofSeconds(5)));
            plan.secretRecords().forEach(publisher::secret);
            publisher.flush();
            harness.awaitSecretsVisible(plan.secretRecords().size());
            try (LoadDriver load = new LoadDriver(plan, publisher, RUNS_PER_SECOND).start()) {
                pause(BETWEEN);
                for (int round = 0; round < ROUNDS; round++) {
                    int leader = leadEverything(admin, watched);
                    boolean controlled = round % 2 == 0;
                    long stoppedAt = System.currentTimeMillis();
                    if (controlled) {
                        kafka.cluster().stopBroker(leader);
                    } else {
                        kafka.cluster().killBroker(leader);
                    }
                    long stopMillis = System.currentTimeMillis() - stoppedAt;
                    pause(DOWN);
                    long restartedAt = System.currentTimeMillis();
                    kafka.cluster().startBroker(leader);
                    awaitFullIsr(admin, watched);
                    failures.add(new Failure(leader, controlled ? "controlled shutdown" : "stop without controlled shutdown",
                            stoppedAt, stopMillis, restartedAt, System.currentTimeMillis() - restartedAt));
                    pause(BETWEEN);
                }
                List<LoadPlan.Run> runs = FaultSuites.finishAndConverge(load, publisher, audit, harness.settled(), FaultSuites.WAIT);
                harness.stopService();

                Map<String, AuditEvent> events = audit.deduplicated();
                EndState.Figures figures = EndState.check(plan, runs, load::completionSent, audit.events(),
                        harness.secretsRoot(), sm, Set.of());
                System.out.printf("FAULTS broker failure (%s): 3 brokers, %d leader failures, %d rebalances, %s%n", SIZE,
                        failures.size(), harness.rebalances(), figures.summary());
                Map<String, AuditEvent> provisioned = FaultSuites.firstByRun(events.values(), AuditAction.SECRETS_PROVISIONED);
                for (Failure failure : failures) {
                    Optional<AuditObserver.Observed> next = audit.firstWrittenAfter(failure.stoppedAt());
                    List<Long> affected = new ArrayList<>();
                    for (LoadPlan.Run run : runs) {
                        long launchedAt = load.launchSentAt(run.runId());
                        if (launchedAt >= failure.stoppedAt() - 1000 && launchedAt <= failure.restartedAt()
                                && provisioned.containsKey(run.runId())) {
                            affected.add(provisioned.get(run.runId()).getOccurredAt().toEpochMilli() - launchedAt);
                        }
                    }
                    System.out.printf("FAULTS   broker %d, %s (took %d ms), down %d ms, back in every ISR %d ms after"
                                    + " restart; next committed audit event %s ms after the stop; runs launched"
                                    + " around the failure: launch -> provisioned %s%n",
                            failure.broker(), failure.how(), failure.stopMillis(), failure.restartedAt() - failure.stoppedAt(),
                            failure.isrMillis(), next.map(o -> Long.toString(o.observedAt() - failure.stoppedAt())).orElse("?"),
                            FaultSuites.distribution(affected));
                }
                assertThat(figures.problems()).as("end-state problems").isEmpty();
                assertThat(figures.leaked() + figures.missing() + figures.duplicated()).isZero();
            }
        }
    }

    /**
     * Makes one broker (the current leader of the launched topic's first partition) the preferred and actual leader
     * of every partition of the given topics, by reordering each replica list, and returns its id.
     */
    private static int leadEverything(Admin admin, List<String> topics) throws Exception {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        int leader = described.get(topics.get(0)).partitions().get(0).leader().id();
        Map<TopicPartition, Optional<NewPartitionReassignment>> reorder = new HashMap<>();
        Set<TopicPartition> partitions = new HashSet<>();
        for (TopicDescription topic : described.values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                List<Integer> replicas = new ArrayList<>(partition.replicas().stream().map(Node::id).toList());
                replicas.remove(Integer.valueOf(leader));
                replicas.add(0, leader);
                TopicPartition tp = new TopicPartition(topic.name(), partition.partition());
                reorder.put(tp, Optional.of(new NewPartitionReassignment(replicas)));
                partitions.add(tp);
            }
        }
        admin.alterPartitionReassignments(reorder).all().get(30, TimeUnit.SECONDS);
        Await.atMost(Duration.ofSeconds(60)).every(Duration.ofMillis(200))
                .until("broker " + leader + " the leader of every partition of " + topics, () -> {
                    try {
                        admin.electLeaders(ElectionType.PREFERRED, partitions).all().get(30, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException alreadyOrNotYet) {
                        // ElectionNotNeeded for partitions already led by it; others are retried at the next probe.
                    }
                    return leaders(admin, topics);
                }, leaders -> leaders.values().stream().allMatch(id -> id == leader), leaders -> "leaders " + leaders);
        return leader;
    }

    /** Each partition's leader, -1 for none. */
    private static Map<TopicPartition, Integer> leaders(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, Integer> leaders = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                leaders.put(new TopicPartition(topic.name(), partition.partition()),
                        partition.leader() == null ? -1 : partition.leader().id());
            }
        }
        return leaders;
    }

    private static void awaitFullIsr(Admin admin, List<String> topics) {
        Await.atMost(Duration.ofSeconds(120)).every(Duration.ofMillis(200))
                .until("the restarted broker back in every ISR of " + topics, () -> {
                    Map<String, Integer> isrSizes = new TreeMap<>();
                    for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                        topic.partitions().forEach(p -> isrSizes.put(topic.name() + "-" + p.partition(), p.isr().size()));
                    }
                    return isrSizes;
                }, isrSizes -> isrSizes.values().stream().allMatch(size -> size == 3), isrSizes -> "ISR sizes " + isrSizes);
    }
}
