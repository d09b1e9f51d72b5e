package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.serde.SpecificAvroDeserializer;
import io.pipelinesecrets.serde.SpecificAvroSerializer;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.Stores;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The lifecycle topology: the secrets topic materialised into a global store (one prefix scan per owner), and
 * one sub-topology for the workflow topics: a decoder per topic hands valid events to the lifecycle processor,
 * which keeps a changelogged run-state store keyed by run id; decoders and processor write audit events and dead
 * letters. Every node and store is named, so the topology's shape is stable across versions (internal topic names
 * derive from these names).
 *
 * <pre>
 * launched-source  -&gt; launched-decoder  -+-&gt; lifecycle [run-state] -+-&gt; audit-sink
 * completed-source -&gt; completed-decoder -+                         +-&gt; dlq-sink
 *                     (both decoders also write to audit-sink and dlq-sink)
 * </pre>
 *
 * <p>This class turns settings into a {@link Topology}; {@code LifecycleService} runs it.
 */
public final class LifecycleTopology {

    public static final String SECRETS_STORE = "secrets-by-owner";
    public static final String RUN_STATE_STORE = "run-state";
    public static final String SECRETS_SOURCE = "secrets-source";
    public static final String SECRETS_UPDATER = "secrets-store-updater";
    public static final String LAUNCHED_SOURCE = "launched-source";
    public static final String COMPLETED_SOURCE = "completed-source";
    public static final String LAUNCHED_DECODER = "launched-decoder";
    public static final String COMPLETED_DECODER = "completed-decoder";
    public static final String LIFECYCLE = "lifecycle";
    public static final String AUDIT_SINK = "audit-sink";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String SECRETS_VALIDATION_SOURCE = "secrets-validation-source";
    public static final String SECRETS_VALIDATOR = "secrets-validator";

    private LifecycleTopology() {
    }

    /**
     * @param punctuationInterval how often backend results and due retries are applied; short, since a
     *                            provisioning is not visible until its results are applied
     * @param autoRegisterSchemas register the audit schema on first use (dev, tests) or require it registered
     * @param observer            told of every audit event and dead letter written (metrics)
     */
    public record Settings(ServiceTopics topics, LifecyclePolicy policy, PlatformRouting routing,
                           Duration punctuationInterval, boolean autoRegisterSchemas, Clock clock,
                           LifecycleObserver observer, RecordLimits limits) {

        /**
         * What a record of the dead-letter and audit topics may weigh unless the topics say otherwise: under the
         * producer's default {@code max.request.size} (1 MiB) and the brokers' default {@code message.max.bytes}.
         */
        public static final int DEFAULT_MAX_RECORD_BYTES = 1_000_000;

        public Settings {
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(routing, "routing");
            Objects.requireNonNull(punctuationInterval, "punctuationInterval");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(observer, "observer");
            Objects.requireNonNull(limits, "limits");
        }

        public Settings(ServiceTopics topics, LifecyclePolicy policy, PlatformRouting routing,
                        Duration punctuationInterval, boolean autoRegisterSchemas, Clock clock,
                        LifecycleObserver observer) {
            this(topics, policy, routing, punctuationInterval, autoRegisterSchemas, clock, observer,
                    new RecordLimits(DEFAULT_MAX_RECORD_BYTES));
        }

        /** The same settings for topics that take records of at most {@code bytes} (as the brokers say at start). */
        public Settings withMaxRecordBytes(int bytes) {
            return new Settings(topics, policy, routing, punctuationInterval, autoRegisterSchemas, clock, observer,
                    new RecordLimits(bytes));
        }

        /** Settings whose topology is observed by no one (tests, tools). */
        public Settings(ServiceTopics topics, LifecyclePolicy policy, PlatformRouting routing,
                        Duration punctuationInterval, boolean autoRegisterSchemas, Clock clock) {
            this(topics, policy, routing, punctuationInterval, autoRegisterSchemas, clock, LifecycleObserver.NONE);
        }
    }

    /** Backend calls are made as soon as they are decided (no transactions: tests on the topology test driver). */
    public static Topology build(Settings settings, SchemaRegistry registry, BackendDispatcher dispatcher) {
        return build(settings, registry, dispatcher, CommitGate.open());
    }

    /** @param gate when the backend calls the processor decides are made (see {@link CommitGate}) */
    public static Topology build(Settings settings, SchemaRegistry registry, BackendDispatcher dispatcher, CommitGate gate) {
        // Counted by the global store's updater, waited on by the lifecycle processor (read-your-writes).
        SecretsTopicProgress progress = new SecretsTopicProgress();
        ServiceTopics topics = settings.topics();
        Topology topology = new Topology();

        // In memory, restored from the compacted topic at each start: secret values never rest on the service's disk.
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SECRETS_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                SECRETS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.secrets(),
                SECRETS_UPDATER, () -> new GlobalSecretsUpdater(SECRETS_STORE, progress));

        // Values are decoded by processors, not by the sources, so that an undecodable record becomes a dead letter
        // with its original bytes and an audit event in the same transaction, instead of stopping the stream. The
        // decoders are children of their sources and parents of the lifecycle processor: one sub-topology, one task
        // per partition, one transaction, and no topic between them (records pass in memory).
        topology.addSource(AutoOffsetReset.earliest(), LAUNCHED_SOURCE, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), topics.launched());
        topology.addSource(AutoOffsetReset.earliest(), COMPLETED_SOURCE, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), topics.completed());
        topology.addProcessor(LAUNCHED_DECODER, () -> WorkflowEventDecoder.launches(settings,
                new SpecificAvroDeserializer<>(registry, WorkflowLaunched.class)), LAUNCHED_SOURCE);
        topology.addProcessor(COMPLETED_DECODER, () -> WorkflowEventDecoder.completions(settings,
                new SpecificAvroDeserializer<>(registry, WorkflowCompleted.class)), COMPLETED_SOURCE);
        topology.addProcessor(LIFECYCLE, () -> new LifecycleProcessor(settings,
                        new SpecificAvroDeserializer<>(registry, SecretRecord.class), dispatcher, progress, gate),
                LAUNCHED_DECODER, COMPLETED_DECODER);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RUN_STATE_STORE), Serdes.String(), new RunStateSerde()), LIFECYCLE);

        Serializer<AuditEvent> audit = new SpecificAvroSerializer<>(registry, AuditEvent.class, settings.autoRegisterSchemas());
        topology.addSink(AUDIT_SINK, topics.audit(), new StringSerializer(), audit,
                LAUNCHED_DECODER, COMPLETED_DECODER, LIFECYCLE);
        topology.addSink(DLQ_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(),
                LAUNCHED_DECODER, COMPLETED_DECODER, LIFECYCLE);
        return topology;
    }

    /**
     * The id of the sub-topology that holds {@code node}: the first number of the task ids that run it (task
     * {@code 1_0} is sub-topology 1, partition 0). The global store is a sub-topology of its own in the numbering,
     * without tasks, so the lifecycle tasks are not sub-topology 0.
     */
    public static int subtopologyOf(Topology topology, String node) {
        return topology.describe().subtopologies().stream()
                .filter(sub -> sub.nodes().stream().map(TopologyDescription.Node::name).anyMatch(node::equals))
                .mapToInt(TopologyDescription.Subtopology::id)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sub-topology holds node " + node));
    }

    /**
     * The validation of the secrets topic, run as its own Streams application: Kafka Streams lets a topic feed
     * either a global store or a regular source in one topology, not both, and a global store's processor cannot
     * write to the audit and dead-letter topics.
     */
    public static Topology buildSecretValidation(Settings settings, SchemaRegistry registry) {
        ServiceTopics topics = settings.topics();
        Topology topology = new Topology();
        topology.addSource(AutoOffsetReset.earliest(), SECRETS_VALIDATION_SOURCE, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), topics.secrets());
        topology.addProcessor(SECRETS_VALIDATOR, () -> new SecretRecordValidator(
                new SpecificAvroDeserializer<>(registry, SecretRecord.class), settings.clock(), settings.observer(),
                settings.limits()),
                SECRETS_VALIDATION_SOURCE);
        Serializer<AuditEvent> audit = new SpecificAvroSerializer<>(registry, AuditEvent.class, settings.autoRegisterSchemas());
        topology.addSink(AUDIT_SINK, topics.audit(), new StringSerializer(), audit, SECRETS_VALIDATOR);
        topology.addSink(DLQ_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(),
                SECRETS_VALIDATOR);
        return topology;
    }
}
