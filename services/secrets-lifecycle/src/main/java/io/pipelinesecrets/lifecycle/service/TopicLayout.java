package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.config.TopicSizing;
import org.apache.kafka.clients.admin.NewTopic;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The topics of docs/design.md §3 with their policies: what {@code topics apply} creates and checks for drift,
 * and what {@code dev} (and tests) create. The service itself only verifies at start-up that they exist.
 *
 * <p>The dead-letter topic has one partition so that replay tooling re-publishes rejected records in the order
 * they were rejected. {@code min.insync.replicas} is 2 from three replicas up (an acknowledged write survives
 * the loss of a broker while one broker may be down), else 1.
 */
public record TopicLayout(ServiceTopics topics, int partitions, short replication) {

    public static final Duration WORKFLOW_RETENTION = Duration.ofDays(7);
    public static final Duration AUDIT_RETENTION = Duration.ofDays(30);
    public static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(30);

    public TopicLayout(ServiceTopics topics, TopicSizing sizing) {
        this(topics, sizing.partitions(), sizing.replicationFactor());
    }

    public int minInsyncReplicas() {
        return replication >= 3 ? 2 : 1;
    }

    public List<NewTopic> newTopics() {
        return List.of(
                topic(topics.launched(), partitions, retention(WORKFLOW_RETENTION)),
                topic(topics.completed(), partitions, retention(WORKFLOW_RETENTION)),
                topic(topics.secrets(), partitions, Map.of("cleanup.policy", "compact")),
                topic(topics.audit(), partitions, retention(AUDIT_RETENTION)),
                topic(topics.deadLetters(), 1, retention(DEAD_LETTER_RETENTION)));
    }

    private NewTopic topic(String name, int count, Map<String, String> policy) {
        Map<String, String> configs = new HashMap<>(policy);
        configs.put("min.insync.replicas", Integer.toString(minInsyncReplicas()));
        return new NewTopic(name, count, replication).configs(configs);
    }

    private static Map<String, String> retention(Duration retention) {
        return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()));
    }
}
