package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import org.apache.kafka.clients.admin.NewTopic;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The topics of DESIGN.md section 2 with their policies, for the {@code dev} command (and tests) to create.
 * Production topics are created by the deploy pipeline; the service only verifies them at start-up.
 */
public record TopicLayout(ServiceTopics topics, int partitions, short replication) {

    public List<NewTopic> newTopics() {
        return List.of(
                topic(topics.launched(), partitions, retention(Duration.ofDays(7))),
                topic(topics.completed(), partitions, retention(Duration.ofDays(7))),
                topic(topics.secrets(), partitions, Map.of("cleanup.policy", "compact")),
                topic(topics.audit(), partitions, retention(Duration.ofDays(30))),
                topic(topics.deadLetters(), 1, retention(Duration.ofDays(30))));
    }

    private NewTopic topic(String name, int count, Map<String, String> configs) {
        return new NewTopic(name, count, replication).configs(configs);
    }

    private static Map<String, String> retention(Duration retention) {
        return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()));
    }
}
