package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code topics apply} does about a cluster, decided from the {@link TopicLayout} and what the cluster has
 * ({@link TopicCheck#observe}): the topics to create, those already as expected, and the drift of the others.
 *
 * <p>A missing workflow topic whose twin exists is created with the twin's partition count, not the layout's:
 * the two must be equal for the service to start, and an existing topic's count is the one that cannot change
 * freely.
 *
 * @param toCreate   missing topics, with the partitions, replication and configuration to create them with
 * @param asExpected existing topics whose compared settings all match
 * @param drift      every setting of an existing topic that differs, and every problem between topics
 * @param notes      decisions worth telling the operator (a twin's partition count used)
 */
public record TopicPlan(List<NewTopic> toCreate, List<String> asExpected, List<TopicDrift> drift, List<String> notes) {

    public TopicPlan {
        toCreate = List.copyOf(toCreate);
        asExpected = List.copyOf(asExpected);
        drift = List.copyOf(drift);
        notes = List.copyOf(notes);
    }

    /** @param bootstrapServers written into the fix commands */
    public static TopicPlan of(TopicLayout layout, Map<String, ObservedTopic> existing, String bootstrapServers) {
        ServiceTopics topics = layout.topics();
        List<NewTopic> toCreate = new ArrayList<>();
        List<String> asExpected = new ArrayList<>();
        List<TopicDrift> drift = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (NewTopic wanted : layout.newTopics()) {
            ObservedTopic observed = existing.get(wanted.name());
            if (observed == null) {
                toCreate.add(withTwinPartitions(wanted, topics, existing, notes));
                continue;
            }
            List<TopicDrift> differences = TopicDrift.between(wanted, observed, bootstrapServers);
            if (differences.isEmpty()) {
                asExpected.add(wanted.name());
            }
            drift.addAll(differences);
        }
        ObservedTopic launched = existing.get(topics.launched());
        ObservedTopic completed = existing.get(topics.completed());
        if (launched != null && completed != null) {
            TopicCheck.partitionMismatch(topics, launched.partitions(), completed.partitions()).ifPresent(problem ->
                    drift.add(new TopicDrift(topics.completed(), "partitions = " + topics.launched() + "'s",
                            Integer.toString(launched.partitions()), Integer.toString(completed.partitions()), problem)));
        }
        return new TopicPlan(toCreate, asExpected, drift, notes);
    }

    /** Nothing to create and no drift. */
    public boolean nothingToDo() {
        return toCreate.isEmpty() && drift.isEmpty();
    }

    private static NewTopic withTwinPartitions(NewTopic wanted, ServiceTopics topics, Map<String, ObservedTopic> existing,
                                               List<String> notes) {
        Optional<String> twin = wanted.name().equals(topics.launched()) ? Optional.of(topics.completed())
                : wanted.name().equals(topics.completed()) ? Optional.of(topics.launched()) : Optional.empty();
        ObservedTopic existingTwin = twin.map(existing::get).orElse(null);
        if (existingTwin == null || existingTwin.partitions() == wanted.numPartitions()) {
            return wanted;
        }
        notes.add(wanted.name() + " gets " + existingTwin.partitions() + " partitions, as " + existingTwin.name()
                + " has, not topics.partitions=" + wanted.numPartitions()
                + ": both workflow topics must have the same count");
        return new NewTopic(wanted.name(), existingTwin.partitions(), wanted.replicationFactor()).configs(wanted.configs());
    }
}
