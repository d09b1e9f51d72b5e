package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.admin.AdminAccess;
import io.pipelinesecrets.lifecycle.admin.AdminServer;
import io.pipelinesecrets.lifecycle.admin.AdminToken;
import io.pipelinesecrets.lifecycle.admin.ServiceView;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackend;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.service.ClusterIdentity;
import io.pipelinesecrets.lifecycle.service.LifecycleService;
import io.pipelinesecrets.lifecycle.service.ServiceInternals;
import io.pipelinesecrets.lifecycle.service.TopicCheck;
import io.pipelinesecrets.lifecycle.service.TopicLayout;
import io.pipelinesecrets.lifecycle.topology.BackendDispatcher;
import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import io.pipelinesecrets.lifecycle.topology.PlatformRouting;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real service on the test cluster: topics of its own (prefixed per test), the filesystem backend under a
 * temporary root, an in-memory registry shared with the test's producers, admin HTTP on a free port with an admin
 * token of its own, which {@link #http} presents. Everything
 * a test publishes goes through the real serde; everything it checks is read back from the real topics.
 */
public final class ServiceHarness implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(60);

    private final TestKafka kafka;
    private final String applicationId;
    private final ServiceTopics topics;
    private final Path secretsRoot;
    private final Path stateDirectory;
    private final LifecyclePolicy policy;
    private final Duration punctuationInterval;
    private final Map<String, Object> kafkaOverrides;
    private java.util.function.Function<Deployment, List<SecretsBackend>> extraBackends = deployment -> List.of();
    private java.util.function.UnaryOperator<SecretsBackend> filesystemWrapper = java.util.function.UnaryOperator.identity();
    private final Deployment deployment;
    private SchemaRegistry registry = new InMemorySchemaRegistry();
    private boolean autoRegister = true;
    private EventSerdes serdes = EventSerdes.create(registry, true);
    private final String topicPrefix;
    private final KafkaProducer<byte[], byte[]> producer;
    private final RecordLog<AuditEvent> audit;
    private final RecordLog<ConsumerRecord<byte[], byte[]>> deadLetters;
    private final List<String> httpResponses = new ArrayList<>();
    private final AdminToken adminToken = AdminToken.random();
    private final AtomicInteger rebalances = new AtomicInteger();
    private LifecycleService service;
    private AdminServer admin;
    private boolean running;

    private ServiceHarness(TestKafka kafka, Path workDirectory, LifecyclePolicy policy, Duration punctuationInterval,
                           Map<String, Object> kafkaOverrides) {
        this.kafka = kafka;
        this.policy = policy;
        this.punctuationInterval = punctuationInterval;
        this.kafkaOverrides = kafkaOverrides;
        this.applicationId = kafka.uniqueName("app");
        this.topicPrefix = kafka.uniqueName("t") + ".";
        this.topics = ServiceTopics.DEFAULTS.prefixed(topicPrefix);
        this.secretsRoot = workDirectory.resolve("secrets");
        this.stateDirectory = workDirectory.resolve("state");
        try {
            Files.createDirectories(secretsRoot, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Admin admin = kafka.admin()) {
            // One replica per broker up to three, so that a three-broker cluster mirrors production durability.
            TopicCheck.createMissing(admin, new TopicLayout(topics, 3, (short) Math.min(3, kafka.cluster().brokerCount())));
            this.deployment = ClusterIdentity.deploymentOf(admin, applicationId, kafka.bootstrapServers());
        }
        this.producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        this.audit = new RecordLog<>(kafka.bootstrapServers(), topics.audit(),
                r -> this.serdes.audit().deserializer().deserialize(topics.audit(), r.value()));
        this.deadLetters = new RecordLog<>(kafka.bootstrapServers(), topics.deadLetters(), r -> r);
    }

    /**
     * A second instance of the same service: same application id, topics, registry, policy, backends and secrets
     * root as {@code first}, with a state directory of its own under {@code workDirectory}. Instances sharing an
     * application id share the partitions, as in a scaled-out deployment.
     */
    private ServiceHarness(ServiceHarness first, Path workDirectory) {
        this.kafka = first.kafka;
        this.policy = first.policy;
        this.punctuationInterval = first.punctuationInterval;
        this.kafkaOverrides = first.kafkaOverrides;
        this.applicationId = first.applicationId;
        this.topicPrefix = first.topicPrefix;
        this.topics = first.topics;
        this.secretsRoot = first.secretsRoot;
        this.stateDirectory = workDirectory.resolve("state");
        this.extraBackends = first.extraBackends;
        this.deployment = first.deployment;
        this.registry = first.registry;
        this.autoRegister = first.autoRegister;
        this.serdes = first.serdes;
        this.producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        this.audit = new RecordLog<>(kafka.bootstrapServers(), topics.audit(),
                r -> this.serdes.audit().deserializer().deserialize(topics.audit(), r.value()));
        this.deadLetters = new RecordLog<>(kafka.bootstrapServers(), topics.deadLetters(), r -> r);
    }

    /** Starts another instance of {@code first}'s service (see the constructor above) and waits until it is ready. */
    public static ServiceHarness startPeer(ServiceHarness first, Path workDirectory) {
        ServiceHarness peer = new ServiceHarness(first, workDirectory);
        peer.startService();
        return peer;
    }

    /** With a policy of the test's choosing and backends beside the filesystem one (made afresh at every start). */
    public static ServiceHarness start(TestKafka kafka, Path workDirectory, LifecyclePolicy policy,
                                       java.util.function.Supplier<List<SecretsBackend>> extraBackends) {
        ServiceHarness harness = new ServiceHarness(kafka, workDirectory, policy, Duration.ofMillis(20),
                Map.of("commit.interval.ms", 50));
        harness.extraBackends = deployment -> extraBackends.get();
        harness.startService();
        return harness;
    }

    /**
     * With the filesystem backend wrapped by {@code wrapper} (a test double that holds calls, say); a peer started
     * from this harness gets the plain backend.
     */
    public static ServiceHarness startWrappingFilesystem(TestKafka kafka, Path workDirectory, LifecyclePolicy policy,
                                                         java.util.function.UnaryOperator<SecretsBackend> wrapper) {
        ServiceHarness harness = new ServiceHarness(kafka, workDirectory, policy, Duration.ofMillis(20),
                Map.of("commit.interval.ms", 50));
        harness.filesystemWrapper = wrapper;
        harness.startService();
        return harness;
    }

    /** Backends beside the filesystem one, made afresh at every (re)start for this harness's deployment. */
    public static ServiceHarness startDeployed(TestKafka kafka, Path workDirectory,
                                               java.util.function.Function<Deployment, List<SecretsBackend>> extraBackends) {
        ServiceHarness harness = new ServiceHarness(kafka, workDirectory,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2)),
                Duration.ofMillis(20), Map.of("commit.interval.ms", 50));
        harness.extraBackends = extraBackends;
        harness.startService();
        return harness;
    }

    public static ServiceHarness start(TestKafka kafka, Path workDirectory) {
        return start(kafka, workDirectory, new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2)));
    }

    public static ServiceHarness start(TestKafka kafka, Path workDirectory, LifecyclePolicy policy) {
        return start(kafka, workDirectory, policy, Duration.ofMillis(20), Map.of("commit.interval.ms", 50));
    }

    /** With production-like pacing, for measurements: the given punctuation interval and Kafka settings. */
    public static ServiceHarness start(TestKafka kafka, Path workDirectory, LifecyclePolicy policy,
                                       Duration punctuationInterval, Map<String, Object> kafkaOverrides) {
        ServiceHarness harness = new ServiceHarness(kafka, workDirectory, policy, punctuationInterval, kafkaOverrides);
        harness.startService();
        return harness;
    }

    /**
     * The service on a registry of the test's choosing, with auto-registration off (as in production): the
     * schemas must be registered before the service starts; {@code beforeStart} does that.
     */
    public static ServiceHarness startWithRegistry(TestKafka kafka, Path workDirectory, SchemaRegistry registry,
                                                   java.util.function.Consumer<ServiceHarness> beforeStart) {
        ServiceHarness harness = new ServiceHarness(kafka, workDirectory,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2)),
                Duration.ofMillis(20), Map.of("commit.interval.ms", 50));
        harness.registry = registry;
        harness.autoRegister = false;
        harness.serdes = EventSerdes.create(registry, false);
        beforeStart.accept(harness);
        harness.startService();
        return harness;
    }

    /** Backends beside the filesystem one, made afresh at every (re)start since stopping closes them. */
    public static ServiceHarness start(TestKafka kafka, Path workDirectory,
                                       java.util.function.Supplier<List<SecretsBackend>> extraBackends) {
        ServiceHarness harness = new ServiceHarness(kafka, workDirectory,
                new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2)),
                Duration.ofMillis(20), Map.of("commit.interval.ms", 50));
        harness.extraBackends = deployment -> extraBackends.get();
        harness.startService();
        return harness;
    }

    public void startService() {
        List<SecretsBackend> backends = new ArrayList<>(extraBackends.apply(deployment));
        backends.add(filesystemWrapper.apply(new FilesystemBackend(filesystemConfig())));
        BackendDispatcher dispatcher = new BackendDispatcher(backends);
        LifecycleTopology.Settings settings = new LifecycleTopology.Settings(topics, policy,
                PlatformRouting.defaults(dispatcher.names()), punctuationInterval, autoRegister, Clock.systemUTC());
        service = LifecycleService.start(new LifecycleService.Settings(applicationId, kafka.bootstrapServers(),
                kafkaOverrides, stateDirectory, settings), registry, dispatcher, (newState, oldState) -> {
                    if (newState == KafkaStreams.State.REBALANCING) {
                        rebalances.incrementAndGet();
                    }
                });
        try {
            ServiceView view = ServiceView.of(service);
            admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), () -> view, null,
                    AdminAccess.withToken(adminToken));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running = true;
        awaitReady();
    }

    public void stopService() {
        if (!running) {
            return;
        }
        running = false;
        admin.close();
        service.close();
    }

    public void restartService() {
        stopService();
        startService();
    }

    public void awaitReady() {
        Await.atMost(WAIT).until("the service ready", () -> service, LifecycleService::ready,
                LifecycleService::describeState);
    }

    /**
     * What this instance is still doing, for {@link Settled}: empty when it runs and none of the runs it holds is
     * provisioning, releasing, rolling back or awaiting secrets, nor has a backend call outstanding; empty too once
     * stopped (it can do nothing more).
     */
    String inFlight() {
        if (!running) {
            return "";
        }
        if (!service.ready()) {
            return "the service not running: " + service.describeState();
        }
        List<String> busy = new ArrayList<>();
        try {
            service.forEachLocalRun(state -> {
                if (state.phase().isWorking() || state.phase() == Phase.AWAITING_SECRETS || state.progress().inFlight()) {
                    busy.add(state.runId() + " " + state.phase() + (state.progress().inFlight() ? " (call in flight)" : ""));
                }
            });
        } catch (InvalidStateStoreException rebalancing) {
            return "the run-state store not queryable: " + rebalancing.getMessage();
        }
        return busy.isEmpty() ? "" : busy.size() + " runs, e.g. " + busy.subList(0, Math.min(10, busy.size()));
    }

    /** "Settled" for this instance alone (see {@link Settled}). */
    Settled settled() {
        return new Settled(kafka.bootstrapServers(), applicationId, List.of(topics.launched(), topics.completed()),
                this::inFlight);
    }

    /**
     * Waits until the service's global secrets store holds at least {@code secrets} secrets: resolution sees what
     * was published (the store is not queryable for a moment after start: not yet).
     */
    public void awaitSecretsVisible(long secrets) {
        Await.atMost(WAIT).ignoring(InvalidStateStoreException.class).until(secrets + " secrets in the global store",
                () -> ServiceInternals.secretsVisible(service), n -> n >= secrets, n -> n + " secrets");
    }

    // ---- publishing

    public void publishSecret(SecretRecord secret) {
        send(topics.secrets(), new SecretKey(secret.getScope(), secret.getOwnerId(), secret.getName()).toString(),
                serdes.secrets().serializer().serialize(topics.secrets(), secret));
    }

    /** Publishes a secret and says where it landed, for launches that name it in their secretsWatermark. */
    public RecordMetadata publishSecretAt(SecretRecord secret) {
        byte[] key = new SecretKey(secret.getScope(), secret.getOwnerId(), secret.getName()).toString()
                .getBytes(StandardCharsets.UTF_8);
        try {
            return producer.send(new ProducerRecord<>(topics.secrets(), key,
                    serdes.secrets().serializer().serialize(topics.secrets(), secret))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topics.secrets(), e);
        }
    }

    public void launch(WorkflowLaunched launch) {
        send(topics.launched(), launch.getRunId(), serdes.launched().serializer().serialize(topics.launched(), launch));
    }

    public void complete(WorkflowCompleted completion) {
        send(topics.completed(), completion.getRunId(),
                serdes.completed().serializer().serialize(topics.completed(), completion));
    }

    /** Sends without waiting for each acknowledgement; {@link #flush} waits for all. */
    public void sendAsync(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    public void flush() {
        producer.flush();
    }

    public void send(String topic, String key, byte[] value) {
        sendRaw(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    public void sendRaw(String topic, byte[] key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    // ---- observing

    public List<AuditEvent> awaitAudit(String expectation, java.util.function.Predicate<List<AuditEvent>> done) {
        return audit.await(expectation, done, WAIT);
    }

    public List<AuditEvent> awaitAction(String runId, AuditAction action) {
        return awaitAudit(action + " for " + runId, events -> events.stream()
                .anyMatch(e -> runId.equals(e.getRunId()) && e.getAction() == action));
    }

    public List<AuditEvent> auditOf(String runId) {
        return audit.poll().stream().filter(e -> runId.equals(e.getRunId())).toList();
    }

    public List<AuditEvent> allAudit() {
        return audit.poll();
    }

    public List<ConsumerRecord<byte[], byte[]>> awaitDeadLetters(int count) {
        return deadLetters.await(count + " dead letter(s)", seen -> seen.size() >= count, WAIT);
    }

    /** Whatever reached the dead-letter topic so far. */
    public List<ConsumerRecord<byte[], byte[]>> awaitDeadLettersSoFar() {
        return deadLetters.poll();
    }

    public EventSerdes serdes() {
        return serdes;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    /** The service's Kafka Streams application id, unique to this harness. */
    public String applicationId() {
        return applicationId;
    }

    /** What every topic name of this harness starts with. */
    public String topicPrefix() {
        return topicPrefix;
    }

    public Path storeFile(String runId) {
        return secretsRoot.resolve(runId).resolve("store.json");
    }

    public Path secretsRoot() {
        return secretsRoot;
    }

    /** Which deployment this service is: what its backends mark their entries with. */
    public Deployment deployment() {
        return deployment;
    }

    /** The filesystem backend's configuration, marked as this harness's deployment. */
    public FilesystemBackendConfig filesystemConfig() {
        return new FilesystemBackendConfig(List.of(secretsRoot), null, FilesystemBackendConfig.DEFAULT_OWNER, deployment);
    }

    public ServiceTopics topics() {
        return topics;
    }

    public LifecycleService service() {
        return service;
    }

    /** Transitions of the lifecycle application into REBALANCING, over every start of this instance. */
    public int rebalances() {
        return rebalances.get();
    }

    /** GET on the admin server with the admin token; every response is kept for the canary scan. */
    public HttpResponse<String> http(String path) {
        return get(request(path).header("Authorization", "Bearer " + adminToken.reveal()));
    }

    /** GET on the admin server as anyone who reaches its port: no Authorization header. */
    public HttpResponse<String> httpWithoutToken(String path) {
        return get(request(path));
    }

    /** The token admin HTTP of this harness expects, e.g. to look for it where it must never appear. */
    public AdminToken adminToken() {
        return adminToken;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path));
    }

    private HttpResponse<String> get(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            httpResponses.add(response.body());
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<String> httpResponses() {
        return List.copyOf(httpResponses);
    }

    @Override
    public void close() {
        try {
            stopService();
        } finally {
            producer.close();
            audit.close();
            deadLetters.close();
        }
    }
}
