package io.pipelinesecrets.lifecycle.dev;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real single-node KRaft broker (broker and controller in one process) for the {@code dev} command, with its
 * data in a directory that survives restarts: the first start formats it and stores the cluster id beside the
 * log directory; later starts reuse both, so topics and records are still there.
 *
 * <p>Only {@code dev} uses this class; {@code run} talks to an external cluster and never starts a broker.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String clusterId;
    private final boolean reusedData;
    private final Path dataDirectory;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, String clusterId, boolean reusedData,
                                Path dataDirectory) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
        this.reusedData = reusedData;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts the broker on {@code localhost:brokerPort}, its controller on {@code localhost:controllerPort}, with
     * everything under {@code dataDirectory}.
     */
    public static EmbeddedKafkaBroker start(Path dataDirectory, int brokerPort, int controllerPort) {
        Path kafkaDirectory = dataDirectory.resolve("kafka");
        Path logDirectory = kafkaDirectory.resolve("logs");
        Path clusterIdFile = kafkaDirectory.resolve("cluster.id");
        Path configFile = kafkaDirectory.resolve("server.properties");
        try {
            Files.createDirectories(logDirectory);
            boolean reused = Files.exists(clusterIdFile);
            String clusterId = reused
                    ? Files.readString(clusterIdFile, StandardCharsets.UTF_8).trim()
                    : Uuid.randomUuid().toString();
            Properties config = serverConfig(logDirectory, brokerPort, controllerPort);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                config.store(out, "Written by the dev command on every start; edits are overwritten.");
            }
            format(configFile, clusterId);
            if (!reused) {
                Files.writeString(clusterIdFile, clusterId + System.lineSeparator(), StandardCharsets.UTF_8);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "localhost:" + brokerPort;
            LOG.info("Embedded Kafka broker started at {} (cluster id {}, data in {}, {})",
                    bootstrap, clusterId, kafkaDirectory, reused ? "reused" : "new");
            return new EmbeddedKafkaBroker(server, bootstrap, clusterId, reused, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka data directory " + kafkaDirectory, e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String clusterId() {
        return clusterId;
    }

    /** Whether this start found an earlier start's data (and so its topics and records). */
    public boolean reusedData() {
        return reusedData;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Shuts the broker down in order (controlled shutdown, logs flushed) and waits for it. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Embedded Kafka broker at {} stopped", bootstrapServers);
    }

    private static Properties serverConfig(Path logDirectory, int brokerPort, int controllerPort) {
        Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        config.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", logDirectory.toAbsolutePath().toString());
        // One node: every internal topic has a single replica.
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "false");
        config.put("num.partitions", "3");
        return config;
    }

    private static void format(Path configFile, String clusterId) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String[] arguments = {"format", "--cluster-id", clusterId, "--config", configFile.toString(), "--ignore-formatted"};
        int exitCode;
        try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(arguments, printer);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("formatting the Kafka log directory failed (exit " + exitCode + "): "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
        LOG.debug("Kafka storage format: {}", output.toString(StandardCharsets.UTF_8).trim());
    }
}
