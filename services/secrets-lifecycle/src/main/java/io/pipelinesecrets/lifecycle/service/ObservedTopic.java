package io.pipelinesecrets.lifecycle.service;

import java.util.Map;
import java.util.Objects;

/**
 * An existing topic as the cluster describes it.
 *
 * @param minReplicas the replica count of its least replicated partition
 * @param maxReplicas the replica count of its most replicated partition
 * @param configs     its effective configuration: explicit settings and the broker defaults that apply
 */
public record ObservedTopic(String name, int partitions, int minReplicas, int maxReplicas, Map<String, String> configs) {

    public ObservedTopic {
        Objects.requireNonNull(name, "name");
        configs = Map.copyOf(configs);
    }
}
