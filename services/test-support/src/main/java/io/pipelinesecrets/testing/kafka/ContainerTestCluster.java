package io.pipelinesecrets.testing.kafka;

import org.testcontainers.kafka.KafkaContainer;

import java.util.Set;

/**
 * A single Apache Kafka broker in a container, used when a Docker engine answers. Same broker version as the
 * clients; single broker only (fault tests that stop brokers need the in-JVM cluster).
 */
final class ContainerTestCluster implements KafkaTestCluster {

    static final String IMAGE = "apache/kafka:4.3.1";

    private final KafkaContainer container;

    private ContainerTestCluster(KafkaContainer container) {
        this.container = container;
    }

    static ContainerTestCluster start(int brokers) {
        if (brokers != 1) {
            throw new IllegalStateException("the Testcontainers backend runs one broker; run "
                    + brokers + "-broker tests with -Dkafka.tests.backend=embedded");
        }
        KafkaContainer container = new KafkaContainer(IMAGE);
        BrokerSettings.forBrokers(1).forEach((key, value) ->
                container.withEnv("KAFKA_" + key.toUpperCase().replace('.', '_'), value));
        container.start();
        return new ContainerTestCluster(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public int brokerCount() {
        return 1;
    }

    @Override
    public Set<Integer> brokerIds() {
        return Set.of(1);
    }

    @Override
    public String describe() {
        return "Testcontainers " + IMAGE + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
