package io.pipelinesecrets.testing.kafka;

import java.util.Set;

/**
 * A running Kafka cluster shared by every test of one JVM. Tests never close it; the extension does, once, when
 * the JVM's test run ends.
 */
public interface KafkaTestCluster extends AutoCloseable {

    String bootstrapServers();

    int brokerCount();

    /** Broker node ids, for fault tests that stop and restart one. */
    Set<Integer> brokerIds();

    /**
     * Stops one broker with a controlled shutdown (the controller moves its partition leadership away first) and
     * keeps its data, so {@link #startBroker} brings it back with the same log.
     */
    default void stopBroker(int brokerId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot stop a single broker");
    }

    /**
     * Stops one broker without waiting for the controller to move its partition leadership away first (no
     * controlled shutdown): closer to a crashed machine than {@link #stopBroker}. Its data stays for {@link #startBroker}.
     */
    default void killBroker(int brokerId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot kill a single broker");
    }

    default void startBroker(int brokerId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restart a single broker");
    }

    /** Which backend runs it, for test output. */
    String describe();

    @Override
    void close();
}
