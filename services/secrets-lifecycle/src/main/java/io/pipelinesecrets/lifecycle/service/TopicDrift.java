package io.pipelinesecrets.lifecycle.service;

import org.apache.kafka.clients.admin.NewTopic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One setting of an existing topic that differs from the {@link TopicLayout}, and how an operator fixes it.
 * {@code topics apply} never changes an existing topic: altering retention or compaction of a live topic, or
 * its partitions, is a decision with consequences the fix text names.
 *
 * @param setting  {@code partitions}, {@code replication} or a topic configuration key
 * @param expected what the layout asks for, readable (a retention also in days)
 * @param actual   what the cluster has, readable
 * @param fix      the command or step that fixes it
 */
public record TopicDrift(String topic, String setting, String expected, String actual, String fix) {

    /** The settings compared; anything else a topic has is its own business. */
    public static final List<String> COMPARED_CONFIGS = List.of("cleanup.policy", "retention.ms", "min.insync.replicas");

    /** Every difference between what the layout wants of a topic and what the cluster has. */
    static List<TopicDrift> between(NewTopic wanted, ObservedTopic actual, String bootstrapServers) {
        String topic = wanted.name();
        List<TopicDrift> drift = new ArrayList<>();
        int partitions = wanted.numPartitions();
        if (actual.partitions() < partitions) {
            drift.add(new TopicDrift(topic, "partitions", Integer.toString(partitions), Integer.toString(actual.partitions()),
                    "kafka-topics.sh --bootstrap-server " + bootstrapServers + " --alter --topic " + topic
                            + " --partitions " + partitions + "  (keys move to other partitions: for a workflow topic"
                            + " raise both together while no runs are in flight; never for a compacted topic with data)"));
        } else if (actual.partitions() > partitions) {
            drift.add(new TopicDrift(topic, "partitions", Integer.toString(partitions), Integer.toString(actual.partitions()),
                    "partitions cannot be lowered: set topics.partitions=" + actual.partitions()
                            + " if this count is intended, or recreate the topic"));
        }
        short replication = wanted.replicationFactor();
        if (actual.minReplicas() != replication || actual.maxReplicas() != replication) {
            String observed = actual.minReplicas() == actual.maxReplicas() ? Integer.toString(actual.minReplicas())
                    : actual.minReplicas() + " to " + actual.maxReplicas();
            drift.add(new TopicDrift(topic, "replication", Integer.toString(replication), observed,
                    "reassign the partitions' replicas (kafka-reassign-partitions.sh), or set"
                            + " topics.replication-factor if this is intended"));
        }
        Map<String, String> configs = new TreeMap<>(wanted.configs());
        for (String key : COMPARED_CONFIGS) {
            String want = configs.get(key);
            if (want == null) {
                continue;
            }
            String have = actual.configs().get(key);
            if (!sameValue(key, want, have)) {
                drift.add(new TopicDrift(topic, key, readable(key, want), have == null ? "(unset)" : readable(key, have),
                        "kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics"
                                + " --entity-name " + topic + " --add-config " + key + "=" + want));
            }
        }
        return drift;
    }

    private static boolean sameValue(String key, String wanted, String actual) {
        if (actual == null) {
            return false;
        }
        if (key.equals("cleanup.policy")) {
            return policies(wanted).equals(policies(actual));
        }
        try {
            return Long.parseLong(wanted.trim()) == Long.parseLong(actual.trim());
        } catch (NumberFormatException e) {
            return wanted.trim().equals(actual.trim());
        }
    }

    private static List<String> policies(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(p -> !p.isEmpty()).sorted().toList();
    }

    /** Retention in milliseconds is hard to read: add days (or hours) when it is a whole number of them. */
    static String readable(String key, String value) {
        if (!key.equals("retention.ms")) {
            return value;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis < 0) {
                return value + " (forever)";
            }
            Duration duration = Duration.ofMillis(millis);
            if (millis > 0 && duration.toMillis() % Duration.ofDays(1).toMillis() == 0) {
                return value + " (" + duration.toDays() + "d)";
            }
            if (millis > 0 && duration.toMillis() % Duration.ofHours(1).toMillis() == 0) {
                return value + " (" + duration.toHours() + "h)";
            }
            return value;
        } catch (NumberFormatException e) {
            return value;
        }
    }
}
