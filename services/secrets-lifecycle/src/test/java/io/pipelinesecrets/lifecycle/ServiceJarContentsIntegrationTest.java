package io.pipelinesecrets.lifecycle;

import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service jar (and so the image, which copies it) carries the Kafka clients and Streams, never a
 * broker or Scala: those are the dev command's, in secrets-lifecycle-dev.jar. An integration test because it needs
 * the jar, which exists only after {@code package}; it needs no broker.
 */
class ServiceJarContentsIntegrationTest {

    private static final Path JAR = Path.of(System.getProperty("service.jar", "target/secrets-lifecycle.jar"));

    /** The broker's Scala core, Scala, the broker's Java modules (kafka-raft too: the clients use none of it). */
    private static final List<String> BROKER_PREFIXES = List.of("kafka/", "scala/",
            "org/apache/kafka/controller/", "org/apache/kafka/raft/", "org/apache/kafka/metadata/",
            "org/apache/kafka/image/", "org/apache/kafka/storage/", "org/apache/kafka/snapshot/",
            "org/apache/kafka/coordinator/", "org/apache/kafka/server/common/", "org/apache/kafka/server/log/");

    private static Set<String> entries;

    @BeforeAll
    static void readTheJar() throws IOException {
        assertThat(JAR).as("the packaged service jar (mvn package)").isRegularFile();
        entries = entriesOf(JAR);
        System.out.printf("%s: %,d bytes, %,d entries%n", JAR, Files.size(JAR), entries.size());
    }

    @Test
    void shouldHoldTheServiceAndItsKafkaClients() {
        assertThat(entries).contains(classFile(PipelineSecretsCli.class), classFile(KafkaStreams.class),
                classFile(KafkaProducer.class));
    }

    /** Classes only: kafka-clients and kafka-streams keep their version files under {@code kafka/}. */
    @Test
    void shouldHoldNoBrokerAndNoScala() {
        assertThat(entries.stream().filter(entry -> entry.endsWith(".class"))
                .filter(entry -> BROKER_PREFIXES.stream().anyMatch(entry::startsWith)).limit(20))
                .as("broker or Scala classes in %s", JAR).isEmpty();
    }

    /**
     * Catches what a list of packages would miss: {@code org.apache.kafka.server} also holds plugin interfaces
     * that kafka-clients itself ships (authorizer, policy, quota, telemetry), and the broker's modules add
     * packages of their own over time.
     */
    @Test
    void shouldHoldOnlyKafkaClassesThatTheClientsOrStreamsShip() throws Exception {
        Set<String> clientSide = new HashSet<>(entriesOf(jarOf(KafkaProducer.class)));
        clientSide.addAll(entriesOf(jarOf(KafkaStreams.class)));

        assertThat(entries.stream().filter(entry -> entry.startsWith("org/apache/kafka/") && entry.endsWith(".class"))
                .filter(entry -> !clientSide.contains(entry)).limit(20))
                .as("Kafka classes in %s that neither kafka-clients nor kafka-streams ships", JAR).isEmpty();
    }

    private static Set<String> entriesOf(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Set<String> names = new HashSet<>();
            file.stream().map(ZipEntry::getName).forEach(names::add);
            return names;
        }
    }

    private static Path jarOf(Class<?> type) throws URISyntaxException {
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(location).as("where %s comes from", type.getName()).isRegularFile();
        return location;
    }

    private static String classFile(Class<?> type) {
        return type.getName().replace('.', '/') + ".class";
    }
}
