package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.run.SecretsPosition;
import io.pipelinesecrets.lifecycle.run.SecretsProgress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the global secrets store has applied the secrets topic, per partition: the offset of the last record
 * {@link GlobalSecretsUpdater} wrote into it. That includes restores, which Kafka Streams runs through the
 * updater at every start, before any stream thread starts. Written by the global thread, read by stream threads:
 * hence the concurrent map, and values that only increase.
 */
final class SecretsTopicProgress implements SecretsProgress {

    private final Map<Integer, Long> applied = new ConcurrentHashMap<>();

    @Override
    public boolean hasApplied(SecretsPosition position) {
        return position.reachedBy(applied);
    }

    /** The store holds the topic up to and including {@code offset} of {@code partition}. */
    void appliedThrough(int partition, long offset) {
        applied.merge(partition, offset, Math::max);
    }
}
