package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.service.TopicCheck;
import io.pipelinesecrets.lifecycle.service.TopicLayout;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.http.ConfluentRegistryServer;
import io.pipelinesecrets.testing.kafka.TestKafka;
import io.pipelinesecrets.testing.net.FreePorts;
import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test of the packaged service ({@link ServiceProcess}, `run --config`) sets up around it: its topics,
 * an owner-only secrets root, a schema registry it reaches over HTTP, an admin port, and the configuration file.
 */
final class PackagedService implements AutoCloseable {

    final ServiceTopics topics;
    final Path secretsRoot;
    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final EventSerdes serdes = EventSerdes.create(registry, true);
    final int adminPort = FreePorts.next();
    final List<String> output = ServiceProcess.newOutput();
    private final TestKafka kafka;
    private final Path work;
    private final ConfluentRegistryServer registryServer;
    private String applicationId;

    private PackagedService(TestKafka kafka, Path work) throws IOException {
        this.kafka = kafka;
        this.work = work;
        this.topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        try (Admin admin = kafka.admin()) {
            TopicCheck.createMissing(admin, new TopicLayout(topics, 3, (short) 1));
        }
        this.secretsRoot = Files.createDirectories(work.resolve("secrets"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.registryServer = new ConfluentRegistryServer(registry,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
    }

    static PackagedService create(TestKafka kafka, Path work) throws IOException {
        return new PackagedService(kafka, work);
    }

    /**
     * Writes {@code service.properties}: Kafka, registry, topics, state directory, filesystem root, short retry and
     * punctuation pacing and the admin port, plus {@code extraLines} (crash tests add fast group-leaving settings,
     * AWS tests the double's endpoint).
     */
    Path writeConfig(String name, String... extraLines) {
        applicationId = kafka.uniqueName(name + "-app");
        List<String> lines = new ArrayList<>(List.of(
                "application.id=" + applicationId,
                "instance.id=" + name,
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "kafka.commit.interval.ms=100",
                "schema.registry.url=" + registryServer.url(),
                "schema.registry.auto-register=true",
                "topics.launched=" + topics.launched(),
                "topics.completed=" + topics.completed(),
                "topics.secrets=" + topics.secrets(),
                "topics.audit=" + topics.audit(),
                "topics.dlq=" + topics.deadLetters(),
                "state.dir=" + work.resolve("state"),
                "filesystem.allowed-roots=" + secretsRoot,
                "lifecycle.punctuation-interval=50ms",
                "lifecycle.retry-initial-backoff=200ms",
                "lifecycle.retry-max-backoff=2s",
                "admin.host=127.0.0.1",
                "admin.port=" + adminPort));
        lines.addAll(List.of(extraLines));
        try {
            return Files.writeString(work.resolve("service.properties"), String.join("\n", lines));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The application id of the configuration {@link #writeConfig} wrote last. */
    String applicationId() {
        if (applicationId == null) {
            throw new IllegalStateException("no configuration written yet");
        }
        return applicationId;
    }

    /** What a killed member needs so that every restart does not wait out its session. */
    static String[] fastGroupLeaving() {
        return new String[] {"kafka.session.timeout.ms=6000", "kafka.heartbeat.interval.ms=1000",
                "kafka.transaction.timeout.ms=10000"};
    }

    @Override
    public void close() {
        registryServer.close();
    }
}
