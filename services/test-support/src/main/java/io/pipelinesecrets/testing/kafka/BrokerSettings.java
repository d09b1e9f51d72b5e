package io.pipelinesecrets.testing.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Broker settings that make a test cluster start and rebalance fast on two cores, per cluster size. With one
 * broker every internal topic must have replication 1; with three, the cluster mirrors production durability
 * (replication 3, min.insync.replicas 2) so that fault tests mean something.
 */
final class BrokerSettings {

    private BrokerSettings() {
    }

    static Map<String, String> forBrokers(int brokers) {
        Map<String, String> settings = new LinkedHashMap<>();
        int replication = Math.min(3, brokers);
        settings.put("offsets.topic.replication.factor", Integer.toString(replication));
        settings.put("offsets.topic.num.partitions", "5");
        settings.put("transaction.state.log.replication.factor", Integer.toString(replication));
        settings.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, replication)));
        settings.put("transaction.state.log.num.partitions", "5");
        settings.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
        settings.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, replication)));
        settings.put("min.insync.replicas", Integer.toString(Math.min(2, replication)));
        settings.put("default.replication.factor", Integer.toString(replication));
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("auto.create.topics.enable", "false");
        // Compaction must be observable within a test.
        settings.put("log.cleaner.backoff.ms", "200");
        // Restarted brokers rejoin in ~1.5 s instead of ~10 s.
        settings.put("broker.session.timeout.ms", "2000");
        settings.put("broker.heartbeat.interval.ms", "250");
        settings.put("unstable.api.versions.enable", "false");
        settings.put("unstable.feature.versions.enable", "false");
        return settings;
    }
}
