package io.pipelinesecrets.lifecycle.config;

/**
 * How big and how replicated the service's topics are when {@code topics apply} creates them
 * ({@code topics.partitions}, {@code topics.replication-factor}).
 *
 * <p>Defaults suit a production cluster of at least three brokers. The partition count bounds how many
 * instances share the work; it cannot be lowered later, and raising it moves runs between tasks, so choose it
 * for the largest deployment you expect.
 */
public record TopicSizing(int partitions, short replicationFactor) {

    public static final TopicSizing DEFAULTS = new TopicSizing(6, (short) 3);

    public TopicSizing {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, not " + replicationFactor);
        }
    }
}
