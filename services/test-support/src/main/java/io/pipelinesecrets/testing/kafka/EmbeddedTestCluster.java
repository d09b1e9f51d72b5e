package io.pipelinesecrets.testing.kafka;

import kafka.server.BrokerServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/** A KRaft cluster inside the test JVM, from Kafka's own test kit: about 3 s for the first start on two cores. */
final class EmbeddedTestCluster implements KafkaTestCluster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTestCluster.class);

    private final KafkaClusterTestKit kit;
    private final int brokers;

    private EmbeddedTestCluster(KafkaClusterTestKit kit, int brokers) {
        this.kit = kit;
        this.brokers = brokers;
    }

    static EmbeddedTestCluster start(int brokers) {
        long started = System.nanoTime();
        try {
            // One node doing both jobs is fastest for one broker. With several brokers the controller runs on a
            // node of its own, so that stopping a broker in a fault test never takes the quorum with it.
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(brokers == 1)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            BrokerSettings.forBrokers(brokers).forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            LOG.info("Started in-JVM KRaft cluster of {} broker(s) at {} in {} ms",
                    brokers, kit.bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedTestCluster(kit, brokers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the in-JVM Kafka cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-JVM Kafka cluster", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    @Override
    public Set<Integer> brokerIds() {
        return new TreeSet<>(kit.brokers().keySet());
    }

    @Override
    public void stopBroker(int brokerId) {
        BrokerServer broker = broker(brokerId);
        broker.shutdown();
        broker.awaitShutdown();
    }

    @Override
    public void killBroker(int brokerId) {
        BrokerServer broker = broker(brokerId);
        // A zero deadline: the controlled-shutdown request goes out but the broker does not wait for it.
        broker.shutdown(Duration.ZERO);
        broker.awaitShutdown();
    }

    @Override
    public void startBroker(int brokerId) {
        broker(brokerId).startup();
    }

    @Override
    public String describe() {
        return "in-JVM KRaft test kit, " + brokers + " broker(s) at " + bootstrapServers();
    }

    @Override
    public void close() {
        try {
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("In-JVM Kafka cluster did not close cleanly", e);
        }
    }

    private BrokerServer broker(int brokerId) {
        BrokerServer broker = kit.brokers().get(brokerId);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + brokerId + "; brokers are " + brokerIds());
        }
        return broker;
    }
}
