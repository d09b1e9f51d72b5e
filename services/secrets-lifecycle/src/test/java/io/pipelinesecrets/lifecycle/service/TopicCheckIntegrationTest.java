package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicCheckIntegrationTest {

    @Test
    void shouldRefuseToStartWhenTheWorkflowTopicsHaveDifferentPartitionCounts(TestKafka kafka) {
        ServiceTopics topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        kafka.createTopicNamed(topics.launched(), 3, Map.of());
        kafka.createTopicNamed(topics.completed(), 6, Map.of());
        kafka.createTopicNamed(topics.secrets(), 3, Map.of("cleanup.policy", "compact"));
        kafka.createTopicNamed(topics.audit(), 3, Map.of());
        kafka.createTopicNamed(topics.deadLetters(), 1, Map.of());

        try (Admin admin = kafka.admin()) {
            assertThatThrownBy(() -> TopicCheck.verify(admin, topics))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining(topics.launched() + " has 3 partitions")
                    .hasMessageContaining(topics.completed() + " has 6")
                    .hasMessageContaining("--alter --partitions 6 --topic " + topics.launched());
        }
    }

    @Test
    void shouldRefuseASecretsTopicThatIsNotCompactedSayingHowToFixIt(TestKafka kafka) {
        ServiceTopics topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        kafka.createTopicNamed(topics.launched(), 3, Map.of());
        kafka.createTopicNamed(topics.completed(), 3, Map.of());
        kafka.createTopicNamed(topics.secrets(), 3, Map.of("cleanup.policy", "delete"));
        kafka.createTopicNamed(topics.audit(), 3, Map.of());
        kafka.createTopicNamed(topics.deadLetters(), 1, Map.of());

        try (Admin admin = kafka.admin()) {
            assertThatThrownBy(() -> TopicCheck.verify(admin, topics))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining(topics.secrets() + " has cleanup.policy=delete")
                    .hasMessageContaining("--add-config cleanup.policy=compact");
        }
    }

    @Test
    void shouldReportTheLargestRecordTheAuditAndDeadLetterTopicsTake(TestKafka kafka) {
        ServiceTopics topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        kafka.createTopicNamed(topics.launched(), 3, Map.of());
        kafka.createTopicNamed(topics.completed(), 3, Map.of());
        kafka.createTopicNamed(topics.secrets(), 3, Map.of("cleanup.policy", "compact,delete"));
        kafka.createTopicNamed(topics.audit(), 3, Map.of("max.message.bytes", "500000"));
        kafka.createTopicNamed(topics.deadLetters(), 1, Map.of("max.message.bytes", "300000"));

        try (Admin admin = kafka.admin()) {
            org.assertj.core.api.Assertions.assertThat(TopicCheck.verify(admin, topics)).isEqualTo(300_000);
        }
    }

    @Test
    void shouldNameEveryMissingTopic(TestKafka kafka) {
        ServiceTopics topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        kafka.createTopicNamed(topics.launched(), 3, Map.of());

        try (Admin admin = kafka.admin()) {
            assertThatThrownBy(() -> TopicCheck.verify(admin, topics))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining(topics.completed())
                    .hasMessageContaining(topics.deadLetters())
                    .hasMessageContaining("do not exist");
        }
    }

    @Test
    void shouldCreateTheMissingTopicsAndThenAcceptThem(TestKafka kafka) {
        ServiceTopics topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        kafka.createTopicNamed(topics.launched(), 3, Map.of());

        try (Admin admin = kafka.admin()) {
            TopicCheck.createMissing(admin, new TopicLayout(topics, 3, (short) 1));
            assertThatCode(() -> TopicCheck.verify(admin, topics)).doesNotThrowAnyException();
        }
    }
}
