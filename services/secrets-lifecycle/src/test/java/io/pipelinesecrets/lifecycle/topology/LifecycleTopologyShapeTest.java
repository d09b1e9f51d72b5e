package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.time.HandClock;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shape of the lifecycle topology: decoders and lifecycle processor are one sub-topology (one task per
 * partition, one exactly-once transaction for a record's state, audit events and dead letters), with no topic of
 * their own between them.
 */
class LifecycleTopologyShapeTest {

    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;
    private static final Duration PUNCTUATION = Duration.ofMillis(100);
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String APPLICATION_ID = "lifecycle-shape-test";

    @TempDir
    Path stateDir;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final HandClock clock = new HandClock(T0);

    @Test
    void shouldNameTheLifecycleTasksSubTopologyForTheInstanceThatHoldsTheFirstTask() {
        // The periodic reconciler runs on the instance holding task <this id>_0; the global store takes id 0 in the
        // numbering without having tasks, so a hard-coded 0 would name a task that never exists.
        assertThat(LifecycleTopology.subtopologyOf(topology(), LifecycleTopology.LIFECYCLE)).isEqualTo(1);
        assertThat(LifecycleTopology.subtopologyOf(topology(), LifecycleTopology.LAUNCHED_DECODER)).isEqualTo(1);
        assertThatThrownBy(() -> LifecycleTopology.subtopologyOf(topology(), "no-such-node"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepDecodersAndTheLifecycleProcessorInOneSubTopologyBesideTheGlobalSecretsStore() {
        TopologyDescription description = topology().describe();

        assertThat(description.subtopologies()).singleElement()
                .as("task ids (1_<partition>) and their state directories derive from the sub-topology's id")
                .satisfies(sub -> assertThat(sub.id()).isEqualTo(1));
        assertThat(description.globalStores()).singleElement()
                .satisfies(store -> assertThat(store.source().topicSet()).containsExactly(TOPICS.secrets()));
        Map<String, TopologyDescription.Node> nodes = description.subtopologies().iterator().next().nodes().stream()
                .collect(Collectors.toMap(TopologyDescription.Node::name, Function.identity()));
        assertThat(nodes.keySet()).containsExactlyInAnyOrder(LifecycleTopology.LAUNCHED_SOURCE,
                LifecycleTopology.COMPLETED_SOURCE, LifecycleTopology.LAUNCHED_DECODER,
                LifecycleTopology.COMPLETED_DECODER, LifecycleTopology.LIFECYCLE, LifecycleTopology.AUDIT_SINK,
                LifecycleTopology.DLQ_SINK);

        assertThat(names(nodes.get(LifecycleTopology.LAUNCHED_SOURCE).successors()))
                .containsExactly(LifecycleTopology.LAUNCHED_DECODER);
        assertThat(names(nodes.get(LifecycleTopology.COMPLETED_SOURCE).successors()))
                .containsExactly(LifecycleTopology.COMPLETED_DECODER);
        for (String decoder : List.of(LifecycleTopology.LAUNCHED_DECODER, LifecycleTopology.COMPLETED_DECODER)) {
            assertThat(names(nodes.get(decoder).successors())).as(decoder).containsExactlyInAnyOrder(
                    LifecycleTopology.LIFECYCLE, LifecycleTopology.AUDIT_SINK, LifecycleTopology.DLQ_SINK);
            assertThat(((TopologyDescription.Processor) nodes.get(decoder)).stores()).as(decoder).isEmpty();
        }
        assertThat(names(nodes.get(LifecycleTopology.LIFECYCLE).predecessors()))
                .containsExactlyInAnyOrder(LifecycleTopology.LAUNCHED_DECODER, LifecycleTopology.COMPLETED_DECODER);
        assertThat(((TopologyDescription.Processor) nodes.get(LifecycleTopology.LIFECYCLE)).stores())
                .containsExactly(LifecycleTopology.RUN_STATE_STORE);
    }

    @Test
    void shouldReadOnlyTheWorkflowTopicsAndWriteOnlyAuditDeadLettersAndTheRunStateChangelog() {
        TopologyDescription description = topology().describe();
        Set<String> read = description.subtopologies().stream().flatMap(sub -> sub.nodes().stream())
                .filter(TopologyDescription.Source.class::isInstance)
                .flatMap(source -> ((TopologyDescription.Source) source).topicSet().stream()).collect(Collectors.toSet());
        Set<String> written = description.subtopologies().stream().flatMap(sub -> sub.nodes().stream())
                .filter(TopologyDescription.Sink.class::isInstance)
                .map(sink -> ((TopologyDescription.Sink) sink).topic()).collect(Collectors.toSet());
        assertThat(read).containsExactlyInAnyOrder(TOPICS.launched(), TOPICS.completed());
        assertThat(written).containsExactlyInAnyOrder(TOPICS.audit(), TOPICS.deadLetters());

        // What a launch, a completion and a poison record make the topology write: no repartition topic, and the
        // run-state changelog is the only internal topic.
        try (TopologyTestDriver driver = new TopologyTestDriver(topology(), config(), T0)) {
            EventSerdes serdes = EventSerdes.create(registry, true);
            TestInputTopic<String, byte[]> launched = driver.createInputTopic(TOPICS.launched(), new StringSerializer(),
                    new ByteArraySerializer());
            TestInputTopic<String, byte[]> completed = driver.createInputTopic(TOPICS.completed(),
                    new StringSerializer(), new ByteArraySerializer());
            launched.pipeInput("run-1", serdes.launched().serializer().serialize(TOPICS.launched(),
                    Events.launched("run-1").setLaunchedAt(T0).build()));
            launched.pipeInput("run-bad", "not avro".getBytes(StandardCharsets.UTF_8));
            clock.advance(PUNCTUATION);
            driver.advanceWallClockTime(PUNCTUATION);
            completed.pipeInput("run-1", serdes.completed().serializer().serialize(TOPICS.completed(),
                    Events.completed("run-1").setCompletedAt(clock.instant()).build()));
            clock.advance(PUNCTUATION);
            driver.advanceWallClockTime(PUNCTUATION);

            assertThat(driver.createOutputTopic(TOPICS.audit(), new StringDeserializer(),
                    serdes.audit().deserializer()).readValuesToList()).extracting(AuditEvent::getAction)
                    .contains(AuditAction.EVENT_REJECTED, AuditAction.SECRETS_PROVISIONED, AuditAction.SECRETS_RELEASED);
            assertThat(driver.producedTopicNames()).containsExactlyInAnyOrder(TOPICS.audit(), TOPICS.deadLetters(),
                    APPLICATION_ID + "-" + LifecycleTopology.RUN_STATE_STORE + "-changelog");
        }
    }

    private Topology topology() {
        LifecycleTopology.Settings settings = new LifecycleTopology.Settings(TOPICS, LifecyclePolicy.DEFAULTS,
                PlatformRouting.defaults(Set.of(PlatformRouting.FILESYSTEM)), PUNCTUATION, true, clock);
        return LifecycleTopology.build(settings, registry,
                new BackendDispatcher(List.of(new LifecycleTopologyTest.FakeBackend())));
    }

    private Properties config() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return config;
    }

    private static List<String> names(Set<TopologyDescription.Node> nodes) {
        return nodes.stream().map(TopologyDescription.Node::name).toList();
    }
}
