package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.ComputeEnv;
import io.pipelinesecrets.events.PartitionOffset;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretsWatermark;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.SpecificAvroDeserializer;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.time.HandClock;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task that starts on a run-state store written before (a restart, or a partition moving in): its timers are
 * built again from the stored runs, so waiting retries, leases and secrets checks fire as if nothing had happened,
 * and runs found in flight are driven again.
 */
class LifecycleProcessorRestartTest {

    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;
    private static final Duration PUNCTUATION = Duration.ofMillis(100);
    private static final Duration WATERMARK_WAIT = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path stateDir;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final EventSerdes serdes = EventSerdes.create(registry, true);
    private final HandClock clock = new HandClock(T0);
    private final LifecycleTopologyTest.FakeBackend backend = new LifecycleTopologyTest.FakeBackend();
    private final LifecycleTopology.Settings settings = new LifecycleTopology.Settings(TOPICS,
            new LifecyclePolicy(Duration.ofHours(24), 5, Duration.ofSeconds(1), WATERMARK_WAIT,
                    new LeasePolicy(null, Map.of("ce-leased", Duration.ofHours(1)))),
            PlatformRouting.defaults(Set.of(PlatformRouting.FILESYSTEM)), PUNCTUATION, true, clock);

    private MockProcessorContext<Object, Object> context;
    private KeyValueStore<String, RunState> runs;
    private KeyValueStore<String, byte[]> secrets;

    @BeforeEach
    void runUntilTheCrash() {
        context = new MockProcessorContext<>();
        runs = store(LifecycleTopology.RUN_STATE_STORE, new RunStateSerde());
        secrets = store(LifecycleTopology.SECRETS_STORE, Serdes.ByteArray());

        backend.script("run-retry", LifecycleTopologyTest.Answer.FAIL_RETRYABLE);
        backend.script("run-in-flight", LifecycleTopologyTest.Answer.NEVER);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "lifecycle-restart-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver before = new TopologyTestDriver(LifecycleTopology.build(settings, registry,
                new BackendDispatcher(List.of(backend))), config, T0)) {
            TestInputTopic<String, byte[]> secretsTopic = before.createInputTopic(TOPICS.secrets(),
                    new StringSerializer(), new ByteArraySerializer());
            SecretRecord secret = Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "restart-canary").build();
            secretsTopic.pipeInput(new SecretKey(secret.getScope(), secret.getOwnerId(), secret.getName()).toString(),
                    serdes.secrets().serializer().serialize(TOPICS.secrets(), secret));
            TestInputTopic<String, byte[]> launched = before.createInputTopic(TOPICS.launched(),
                    new StringSerializer(), new ByteArraySerializer());
            launch(launched, Events.launched("run-retry").setLaunchedAt(T0).build());
            launch(launched, Events.launched("run-in-flight").setLaunchedAt(T0).build());
            launch(launched, Events.launched("run-leased").setLaunchedAt(T0).setComputeEnv(ComputeEnv.newBuilder()
                    .setId("ce-leased").setPlatform("slurm").setRegion(null).setAccountRoleArn(null)
                    .setSecretsPath("/shared/secrets").build()).build());
            launch(launched, Events.launched("run-awaiting").setLaunchedAt(T0)
                    .setSecretsWatermark(SecretsWatermark.newBuilder().setOffsets(List.of(
                            PartitionOffset.newBuilder().setPartition(0).setOffset(40L).build())).build()).build());
            clock.advance(PUNCTUATION);
            before.advanceWallClockTime(PUNCTUATION);

            copy(before.getKeyValueStore(LifecycleTopology.RUN_STATE_STORE), runs);
            copy(before.getKeyValueStore(LifecycleTopology.SECRETS_STORE), secrets);
        }
        // run-retry waits out its backoff and run-in-flight waits for an answer that died with the task.
        assertThat(runs.get("run-retry").phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(runs.get("run-in-flight").phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(runs.get("run-leased").phase()).isEqualTo(Phase.ACTIVE);
        assertThat(runs.get("run-awaiting").phase()).isEqualTo(Phase.AWAITING_SECRETS);
        assertThat(backend.provisions).hasSize(3);
    }

    @Test
    void shouldDriveARunFoundInFlightAgainAtTheFirstPunctuation() {
        start();
        punctuate();

        assertThat(backend.provisions).extracting(LifecycleTopologyTest.Call::runId).endsWith("run-in-flight");
        assertThat(backend.provisions).hasSize(4);
        assertThat(runs.get("run-in-flight").phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void shouldRetryAWaitingRunWhenItsStoredRetryIsDueAndNotBefore() {
        start();
        punctuate();
        assertThat(backend.provisions).extracting(LifecycleTopologyTest.Call::runId)
                .as("the backoff is not over yet").filteredOn("run-retry"::equals).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        punctuate();

        assertThat(backend.provisions).extracting(LifecycleTopologyTest.Call::runId)
                .filteredOn("run-retry"::equals).hasSize(2);
        punctuate();
        assertThat(runs.get("run-retry").phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void shouldLookAtARunAwaitingSecretsAgainAndFailItOnceTheWaitIsOver() {
        start();
        clock.advance(WATERMARK_WAIT);
        punctuate();

        assertThat(audits()).filteredOn(event -> event.getRunId().equals("run-awaiting"))
                .extracting(AuditEvent::getAction).contains(AuditAction.PROVISION_FAILED);
        assertThat(runs.get("run-awaiting").phase()).isEqualTo(Phase.FAILED);
    }

    @Test
    void shouldReleaseALeasedRunWhenItsLeaseRunsOutAfterTheRestart() {
        start();
        punctuate();
        assertThat(audits()).extracting(AuditEvent::getAction).doesNotContain(AuditAction.LEASE_EXPIRED);

        clock.advance(Duration.ofHours(1));
        punctuate();
        punctuate();

        assertThat(audits()).filteredOn(event -> event.getRunId().equals("run-leased"))
                .extracting(AuditEvent::getAction).contains(AuditAction.LEASE_EXPIRED, AuditAction.SECRETS_RELEASED);
        assertThat(runs.get("run-leased").phase()).isEqualTo(Phase.RELEASED);
    }

    private void start() {
        new LifecycleProcessor(settings, new SpecificAvroDeserializer<>(registry, SecretRecord.class),
                new BackendDispatcher(List.of(backend)), new SecretsTopicProgress(), CommitGate.open()).init(context);
    }

    /** The drain punctuation, as the stream thread would run it; the other (forgetting released runs) is hourly. */
    private void punctuate() {
        clock.advance(PUNCTUATION);
        context.scheduledPunctuators().stream().filter(p -> p.getInterval().equals(PUNCTUATION)).findFirst()
                .orElseThrow().getPunctuator().punctuate(clock.millis());
    }

    private List<AuditEvent> audits() {
        return context.forwarded(LifecycleTopology.AUDIT_SINK).stream()
                .map(forward -> (AuditEvent) forward.record().value()).toList();
    }

    private void launch(TestInputTopic<String, byte[]> topic, WorkflowLaunched launch) {
        topic.pipeInput(launch.getRunId(), serdes.launched().serializer().serialize(TOPICS.launched(), launch));
    }

    private <V> KeyValueStore<String, V> store(String name, org.apache.kafka.common.serialization.Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                Serdes.String(), values).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    private static <V> void copy(KeyValueStore<String, V> from, KeyValueStore<String, V> to) {
        try (KeyValueIterator<String, V> all = from.all()) {
            while (all.hasNext()) {
                KeyValue<String, V> entry = all.next();
                to.put(entry.key, entry.value);
            }
        }
    }
}
