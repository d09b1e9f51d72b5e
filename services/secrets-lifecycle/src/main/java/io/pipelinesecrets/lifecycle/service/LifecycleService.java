package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.topology.BackendDispatcher;
import io.pipelinesecrets.lifecycle.topology.CommitGate;
import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Runs the service: checks the topics, then starts the lifecycle application and the secrets validation
 * application ({@link LifecycleTopology}), both with exactly-once processing. Owns their lifecycle and the
 * backends'; knows nothing of how the topology is built, nor of any embedded broker.
 */
public final class LifecycleService implements AutoCloseable {

    /** Names the two Streams applications go by in a {@link StreamsBinding} (and the metrics' labels). */
    public static final String LIFECYCLE_APP = "lifecycle";
    public static final String SECRET_VALIDATION_APP = "secret-validation";

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** What a record batch of one costs beyond the record (the batch header and the record's own framing). */
    private static final int BATCH_OVERHEAD_BYTES = 512;
    private static final int MIN_RECORD_BYTES = 8_192;

    private final KafkaStreams lifecycle;
    /** The sub-topology of the lifecycle tasks: not 0, which the global store takes in the numbering. */
    private final int lifecycleSubtopology;
    private final KafkaStreams validation;
    private final BackendDispatcher dispatcher;
    private final List<AutoCloseable> bindings;
    private final CloseOptions closeOptions;

    /**
     * @param applicationId  the Kafka Streams application id; instances sharing it share the work
     * @param kafkaOverrides any Kafka client or Streams setting (security, timeouts, ...), applied last
     */
    public record Settings(String applicationId, String bootstrapServers, Map<String, Object> kafkaOverrides,
                           Path stateDirectory, LifecycleTopology.Settings lifecycle) {
        public Settings {
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(stateDirectory, "stateDirectory");
            Objects.requireNonNull(lifecycle, "lifecycle");
            kafkaOverrides = kafkaOverrides == null ? Map.of() : Map.copyOf(kafkaOverrides);
        }
    }

    private LifecycleService(KafkaStreams lifecycle, int lifecycleSubtopology, KafkaStreams validation,
                             BackendDispatcher dispatcher, List<AutoCloseable> bindings, CloseOptions closeOptions) {
        this.lifecycleSubtopology = lifecycleSubtopology;
        this.lifecycle = lifecycle;
        this.validation = validation;
        this.dispatcher = dispatcher;
        this.bindings = bindings;
        this.closeOptions = closeOptions;
    }

    public static LifecycleService start(Settings settings, SchemaRegistry registry, BackendDispatcher dispatcher) {
        return start(settings, registry, dispatcher, StreamsBinding.NONE, (newState, oldState) -> { });
    }

    /** @param binding told of both Streams applications once they are started (metrics) */
    public static LifecycleService start(Settings settings, SchemaRegistry registry, BackendDispatcher dispatcher,
                                         StreamsBinding binding) {
        return start(settings, registry, dispatcher, binding, (newState, oldState) -> { });
    }

    /**
     * As {@link #start(Settings, SchemaRegistry, BackendDispatcher)}, telling {@code lifecycleListener} every state
     * change of the lifecycle application (a listener can only be set before the application starts); fault tests
     * count rebalances with it.
     */
    public static LifecycleService start(Settings settings, SchemaRegistry registry, BackendDispatcher dispatcher,
                                         KafkaStreams.StateListener lifecycleListener) {
        return start(settings, registry, dispatcher, StreamsBinding.NONE, lifecycleListener);
    }

    private static LifecycleService start(Settings settings, SchemaRegistry registry, BackendDispatcher dispatcher,
                                          StreamsBinding binding, KafkaStreams.StateListener lifecycleListener) {
        int topicRecordLimit;
        try (Admin admin = Admin.create(adminConfig(settings))) {
            topicRecordLimit = TopicCheck.verify(admin, settings.lifecycle().topics());
        }
        if (!settings.lifecycle().autoRegisterSchemas()) {
            SchemaCheck.verifyRegistered(registry, settings.lifecycle().topics(), "the configured schema.registry.url");
        }
        Properties lifecycleConfig = streamsConfig(settings, settings.applicationId());
        LifecycleTopology.Settings topology = settings.lifecycle().withMaxRecordBytes(
                writableRecordBytes(topicRecordLimit, lifecycleConfig));
        Properties validationConfig = streamsConfig(settings, settings.applicationId() + "-secret-validation");
        for (Properties config : List.of(lifecycleConfig, validationConfig)) {
            // The handler lowers the limit the topology's dead letters keep under when the cluster refuses one.
            config.put(UnwritableRecordHandler.RECORD_LIMITS_CONFIG, topology.limits());
        }
        boolean transactional = !StreamsConfig.AT_LEAST_ONCE.equals(
                String.valueOf(lifecycleConfig.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
        CommitGate gate = transactional ? CommitGate.afterCommit() : CommitGate.open();
        Topology lifecycleTopology = LifecycleTopology.build(topology, registry, dispatcher, gate);
        int lifecycleSubtopology = LifecycleTopology.subtopologyOf(lifecycleTopology, LifecycleTopology.LIFECYCLE);
        KafkaStreams lifecycle = new KafkaStreams(lifecycleTopology, lifecycleConfig, new CommitGatedClientSupplier(gate));
        KafkaStreams validation = new KafkaStreams(LifecycleTopology.buildSecretValidation(topology, registry),
                validationConfig);
        for (KafkaStreams streams : new KafkaStreams[] {lifecycle, validation}) {
            streams.setUncaughtExceptionHandler(LifecycleService::onStreamThreadFailure);
        }
        lifecycle.setStateListener(lifecycleListener);
        lifecycle.start();
        validation.start();
        List<AutoCloseable> bindings = List.of(binding.bind(LIFECYCLE_APP, lifecycle),
                binding.bind(SECRET_VALIDATION_APP, validation));
        LOG.info("secrets-lifecycle started: application id {}, Kafka {}", settings.applicationId(),
                settings.bootstrapServers());
        return new LifecycleService(lifecycle, lifecycleSubtopology, validation, dispatcher, bindings,
                closeOptions(settings));
    }

    /** Ready when both applications process: each RUNNING (not starting, rebalancing or failed). */
    public boolean ready() {
        return lifecycle.state() == KafkaStreams.State.RUNNING && validation.state() == KafkaStreams.State.RUNNING;
    }

    /** Alive unless an application stopped for good (a failed global thread, or closed). */
    public boolean alive() {
        return lifecycle.state().isRunningOrRebalancing() && validation.state().isRunningOrRebalancing()
                || lifecycle.state() == KafkaStreams.State.CREATED;
    }

    public String describeState() {
        return "lifecycle " + lifecycle.state() + ", secret validation " + validation.state();
    }

    /**
     * The state of a run whose partition this instance holds. Empty when the run is unknown here (with several
     * instances it may be held by another one).
     *
     * @throws InvalidStateStoreException while the store is not queryable (starting, rebalancing)
     */
    public Optional<RunState> run(String runId) {
        ReadOnlyKeyValueStore<String, RunState> runs = lifecycle.store(StoreQueryParameters.fromNameAndType(
                LifecycleTopology.RUN_STATE_STORE, QueryableStoreTypes.<String, RunState>keyValueStore()));
        return Optional.ofNullable(runs.get(runId));
    }

    /**
     * Whether this instance runs the first lifecycle task (partition 0): exactly one instance does while the group
     * is stable, which makes it the one to run instance-wide chores such as the periodic reconciler.
     */
    public boolean holdsFirstTask() {
        return lifecycle.metadataForLocalThreads().stream().flatMap(thread -> thread.activeTasks().stream())
                .anyMatch(task -> task.taskId().subtopology() == lifecycleSubtopology
                        && task.taskId().partition() == 0);
    }

    /**
     * Visits every run whose partition this instance holds as active task (released runs included, for as long as
     * they are remembered). A consistent snapshot per store, not across stores; for metrics, not for decisions.
     *
     * @throws InvalidStateStoreException while the store is not queryable (starting, rebalancing)
     */
    public void forEachLocalRun(Consumer<RunState> visitor) {
        ReadOnlyKeyValueStore<String, RunState> runs = lifecycle.store(StoreQueryParameters.fromNameAndType(
                LifecycleTopology.RUN_STATE_STORE, QueryableStoreTypes.<String, RunState>keyValueStore()));
        try (KeyValueIterator<String, RunState> all = runs.all()) {
            all.forEachRemaining(entry -> visitor.accept(entry.value));
        }
    }

    /** The lifecycle application, for tests that kill it abruptly. */
    KafkaStreams lifecycleStreams() {
        return lifecycle;
    }

    @Override
    public void close() {
        for (AutoCloseable binding : bindings) {
            try {
                binding.close();
            } catch (Exception e) {
                LOG.warn("could not release a binding of the Streams applications: {}", e.toString());
            }
        }
        lifecycle.close(closeOptions);
        validation.close(closeOptions);
        dispatcher.close();
        LOG.info("secrets-lifecycle stopped");
    }

    private static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(Throwable failure) {
        // A transient failure (registry or broker unavailable) aborts the transaction; a fresh thread resumes from
        // the last commit, and every backend call it repeats is idempotent.
        LOG.error("stream thread failed; replacing it", failure);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * A stopping instance leaves the consumer group, so that the others take over its partitions (and their runs)
     * at once. Kafka Streams otherwise stays in the group, and its partitions wait for session.timeout.ms (45 s by
     * default) — a stall long enough for the other instances' transactions to time out while they wait in the
     * rebalance. With static membership (a group.instance.id) staying is the point, so it is kept.
     */
    private static CloseOptions closeOptions(Settings settings) {
        boolean staticMember = settings.kafkaOverrides().keySet().stream()
                .anyMatch(key -> key.endsWith(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        return CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(staticMember
                ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP : CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    }

    /**
     * The most a record the service writes to the audit or dead-letter topic may weigh: under what those topics
     * accept and under what the producer sends ({@code max.request.size}), with room for the batch around it.
     */
    private static int writableRecordBytes(int topicLimit, Properties streamsConfig) {
        Object requestSize = streamsConfig.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                streamsConfig.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576));
        int producerLimit;
        try {
            producerLimit = Integer.parseInt(String.valueOf(requestSize).trim());
        } catch (NumberFormatException e) {
            throw new StartupException("kafka.max.request.size=" + requestSize + " is not a number of bytes");
        }
        int smallest = Math.min(topicLimit, producerLimit);
        if (smallest < MIN_RECORD_BYTES) {
            throw new StartupException("the audit and dead-letter topics (max.message.bytes) or the producer"
                    + " (kafka.max.request.size) take records of at most " + smallest + " bytes; the service needs"
                    + " at least " + MIN_RECORD_BYTES + " (the defaults are 1 MiB): raise them");
        }
        return smallest - BATCH_OVERHEAD_BYTES;
    }

    private static Map<String, Object> adminConfig(Settings settings) {
        return KafkaClientSettings.admin(KafkaClientSettings.of(settings.bootstrapServers(), settings.kafkaOverrides()));
    }

    private static Properties streamsConfig(Settings settings, String applicationId) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDirectory().toAbsolutePath().toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        config.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, UnwritableRecordHandler.class);
        config.put(UnwritableRecordHandler.DEAD_LETTER_TOPIC_CONFIG, settings.lifecycle().topics().deadLetters());
        config.putAll(settings.kafkaOverrides());
        return config;
    }
}
