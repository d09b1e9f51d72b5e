package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a secret costs the service's heap: the secrets topic lives in an in-memory global store (values never rest on
 * the service's disk), so its size is the service's memory floor. Fills the real store of the real topology with
 * records written by the real serializer and measures the heap used after a full collection, before and after.
 * Not part of {@code mvn verify}: {@code mvn -Pbenchmarks verify -pl services/secrets-lifecycle
 * -Dit.test=GlobalStoreMemoryBenchmark -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class GlobalStoreMemoryBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalStoreMemoryBenchmark.class);
    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;

    @TempDir
    Path stateDir;

    @Test
    void measureHeapPerStoredSecret() {
        measure("1 KiB values", 100_000, 1_024);
        measure("64 KiB values", 2_000, 65_536);
    }

    private void measure(String label, int secrets, int valueBytes) {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        EventSerdes serdes = EventSerdes.create(registry, true);
        LifecycleTopology.Settings settings = new LifecycleTopology.Settings(TOPICS, LifecyclePolicy.DEFAULTS,
                PlatformRouting.defaults(Set.of(PlatformRouting.FILESYSTEM)), Duration.ofMillis(100), true, Clock.systemUTC());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "memory-benchmark");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(label.replace(' ', '-')).toString());
        String value = "v".repeat(valueBytes);
        try (TopologyTestDriver driver = new TopologyTestDriver(LifecycleTopology.build(settings, registry,
                new BackendDispatcher(List.of())), config)) {
            TestInputTopic<String, byte[]> topic = driver.createInputTopic(TOPICS.secrets(), new StringSerializer(),
                    new ByteArraySerializer());
            KeyValueStore<String, byte[]> store = driver.getKeyValueStore(LifecycleTopology.SECRETS_STORE);
            long recordBytes = 0;
            long before = usedHeapAfterCollection();
            for (int i = 0; i < secrets; i++) {
                // Many owners of ten secrets each, names and ids as long as a platform's.
                SecretRecord record = Events.workspaceSecret("138659136604200" + (i / 10), "SECRET_NAME_" + (i % 10), value)
                        .build();
                byte[] bytes = serdes.secrets().serializer().serialize(TOPICS.secrets(), record);
                recordBytes += bytes.length;
                topic.pipeInput(new SecretKey(record.getScope(), record.getOwnerId(), record.getName()).toString(), bytes);
            }
            long after = usedHeapAfterCollection();
            assertThat(store.approximateNumEntries()).isEqualTo(secrets);
            long perSecret = (after - before) / secrets;
            LOG.info("MEMORY {}: {} secrets, {} MiB of heap ({} bytes per secret; record {} bytes, so {} bytes of overhead)",
                    label, secrets, (after - before) >> 20, perSecret, recordBytes / secrets, perSecret - recordBytes / secrets);
        }
    }

    private static long usedHeapAfterCollection() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // A collection is a request; the smallest of a few readings is the settled one.
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
