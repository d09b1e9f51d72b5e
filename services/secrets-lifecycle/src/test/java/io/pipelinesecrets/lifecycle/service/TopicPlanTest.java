package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopicPlanTest {

    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;
    private static final TopicLayout LAYOUT = new TopicLayout(TOPICS, 6, (short) 3);

    /** Every topic exactly as the layout wants it, with some broker defaults beside. */
    private static Map<String, ObservedTopic> asLaidOut() {
        Map<String, ObservedTopic> observed = new LinkedHashMap<>();
        for (NewTopic topic : LAYOUT.newTopics()) {
            Map<String, String> configs = new HashMap<>(topic.configs());
            configs.putIfAbsent("retention.ms", "604800000");
            configs.put("segment.bytes", "1073741824");
            observed.put(topic.name(), new ObservedTopic(topic.name(), topic.numPartitions(), 3, 3, configs));
        }
        return observed;
    }

    private static ObservedTopic with(ObservedTopic topic, String key, String value) {
        Map<String, String> configs = new HashMap<>(topic.configs());
        configs.put(key, value);
        return new ObservedTopic(topic.name(), topic.partitions(), topic.minReplicas(), topic.maxReplicas(), configs);
    }

    @Test
    void shouldCreateEveryTopicOfAnEmptyClusterWithItsPolicy() {
        TopicPlan plan = TopicPlan.of(LAYOUT, Map.of(), "broker:9092");

        assertThat(plan.toCreate()).extracting(NewTopic::name).containsExactlyElementsOf(TOPICS.all());
        assertThat(plan.drift()).isEmpty();
        NewTopic secrets = plan.toCreate().get(2);
        assertThat(secrets.configs()).containsEntry("cleanup.policy", "compact").containsEntry("min.insync.replicas", "2")
                .doesNotContainKey("retention.ms");
        NewTopic dlq = plan.toCreate().get(4);
        assertThat(dlq.numPartitions()).isEqualTo(1);
        assertThat(dlq.configs()).containsEntry("retention.ms", Long.toString(30L * 24 * 3600 * 1000));
        assertThat(plan.toCreate().get(0).replicationFactor()).isEqualTo((short) 3);
    }

    @Test
    void shouldFindNothingToDoWhenEverythingIsAsLaidOut() {
        TopicPlan plan = TopicPlan.of(LAYOUT, asLaidOut(), "broker:9092");

        assertThat(plan.nothingToDo()).isTrue();
        assertThat(plan.asExpected()).containsExactlyElementsOf(TOPICS.all());
    }

    @Test
    void shouldReportEveryDriftedSettingWithItsFix() {
        Map<String, ObservedTopic> observed = asLaidOut();
        observed.put(TOPICS.audit(), with(observed.get(TOPICS.audit()), "retention.ms", "86400000"));
        observed.put(TOPICS.secrets(), with(observed.get(TOPICS.secrets()), "cleanup.policy", "delete"));
        ObservedTopic dlq = observed.get(TOPICS.deadLetters());
        observed.put(TOPICS.deadLetters(), with(new ObservedTopic(dlq.name(), 1, 1, 3, dlq.configs()), "min.insync.replicas", "1"));

        TopicPlan plan = TopicPlan.of(LAYOUT, observed, "broker:9092");

        assertThat(plan.drift()).extracting(TopicDrift::topic, TopicDrift::setting, TopicDrift::expected, TopicDrift::actual)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(TOPICS.audit(), "retention.ms", "2592000000 (30d)", "86400000 (1d)"),
                        org.assertj.core.groups.Tuple.tuple(TOPICS.secrets(), "cleanup.policy", "compact", "delete"),
                        org.assertj.core.groups.Tuple.tuple(TOPICS.deadLetters(), "replication", "3", "1 to 3"),
                        org.assertj.core.groups.Tuple.tuple(TOPICS.deadLetters(), "min.insync.replicas", "2", "1"));
        assertThat(plan.drift()).filteredOn(d -> d.setting().equals("retention.ms")).singleElement()
                .extracting(TopicDrift::fix).asString()
                .isEqualTo("kafka-configs.sh --bootstrap-server broker:9092 --alter --entity-type topics --entity-name "
                        + TOPICS.audit() + " --add-config retention.ms=2592000000");
        assertThat(plan.asExpected()).containsExactly(TOPICS.launched(), TOPICS.completed());
        assertThat(plan.toCreate()).isEmpty();
    }

    @Test
    void shouldReportTooFewAndTooManyPartitionsDifferently() {
        Map<String, ObservedTopic> observed = asLaidOut();
        ObservedTopic audit = observed.get(TOPICS.audit());
        observed.put(TOPICS.audit(), new ObservedTopic(audit.name(), 3, 3, 3, audit.configs()));
        ObservedTopic secrets = observed.get(TOPICS.secrets());
        observed.put(TOPICS.secrets(), new ObservedTopic(secrets.name(), 12, 3, 3, secrets.configs()));

        List<TopicDrift> drift = TopicPlan.of(LAYOUT, observed, "b:9092").drift();

        assertThat(drift).filteredOn(d -> d.topic().equals(TOPICS.audit())).singleElement()
                .satisfies(d -> assertThat(d.fix()).contains("--alter --topic " + TOPICS.audit() + " --partitions 6"));
        assertThat(drift).filteredOn(d -> d.topic().equals(TOPICS.secrets())).singleElement()
                .satisfies(d -> assertThat(d.fix()).contains("cannot be lowered").contains("topics.partitions=12"));
    }

    @Test
    void shouldTreatCleanupPoliciesAsSetsAndNumbersAsNumbers() {
        NewTopic wanted = new NewTopic("t", 1, (short) 1).configs(Map.of("cleanup.policy", "compact,delete",
                "retention.ms", "604800000", "min.insync.replicas", "1"));
        ObservedTopic observed = new ObservedTopic("t", 1, 1, 1, Map.of("cleanup.policy", "delete, compact",
                "retention.ms", " 604800000", "min.insync.replicas", "1"));

        assertThat(TopicDrift.between(wanted, observed, "b")).isEmpty();
        assertThat(TopicDrift.between(wanted, new ObservedTopic("t", 1, 1, 1, Map.of()), "b"))
                .extracting(TopicDrift::actual).containsOnly("(unset)");
        assertThat(TopicDrift.readable("retention.ms", "-1")).isEqualTo("-1 (forever)");
        assertThat(TopicDrift.readable("retention.ms", "7200000")).isEqualTo("7200000 (2h)");
    }

    @Test
    void shouldGiveAMissingWorkflowTopicItsTwinsPartitionCount() {
        Map<String, ObservedTopic> observed = asLaidOut();
        ObservedTopic launched = observed.get(TOPICS.launched());
        observed.put(TOPICS.launched(), new ObservedTopic(launched.name(), 12, 3, 3, launched.configs()));
        observed.remove(TOPICS.completed());

        TopicPlan plan = TopicPlan.of(LAYOUT, observed, "b");

        assertThat(plan.toCreate()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo(TOPICS.completed());
            assertThat(t.numPartitions()).isEqualTo(12);
            assertThat(t.configs()).containsEntry("retention.ms", "604800000");
        });
        assertThat(plan.notes()).singleElement().asString().contains("12 partitions, as " + TOPICS.launched());
    }

    @Test
    void shouldReportWorkflowTopicsWhosePartitionCountsDiffer() {
        Map<String, ObservedTopic> observed = asLaidOut();
        ObservedTopic completed = observed.get(TOPICS.completed());
        observed.put(TOPICS.completed(), new ObservedTopic(completed.name(), 12, 3, 3, completed.configs()));

        List<TopicDrift> drift = TopicPlan.of(LAYOUT, observed, "b").drift();

        assertThat(drift).extracting(TopicDrift::setting)
                .containsExactlyInAnyOrder("partitions", "partitions = " + TOPICS.launched() + "'s");
        assertThat(drift).anySatisfy(d -> assertThat(d.fix()).contains("must be equal"));
    }

    @Test
    void shouldAskForOneInSyncReplicaBelowThreeReplicas() {
        assertThat(new TopicLayout(TOPICS, 3, (short) 1).minInsyncReplicas()).isEqualTo(1);
        assertThat(new TopicLayout(TOPICS, 3, (short) 2).minInsyncReplicas()).isEqualTo(1);
        assertThat(new TopicLayout(TOPICS, 3, (short) 3).minInsyncReplicas()).isEqualTo(2);
        assertThat(new TopicLayout(TOPICS, 3, (short) 5).minInsyncReplicas()).isEqualTo(2);
    }
}
