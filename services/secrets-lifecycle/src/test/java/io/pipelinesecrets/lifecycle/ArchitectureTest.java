package io.pipelinesecrets.lifecycle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dependency rules the compiler cannot enforce, checked on the sources' imports (fully qualified names in code are
 * checked too, so the rule cannot be dodged by leaving out the import).
 *
 * <p>The core (the run state machine, resolution, the secret model and the backend port) is plain Java: it may use
 * the JDK, the event contracts ({@code io.pipelinesecrets.contracts}, {@code io.pipelinesecrets.events}) and
 * itself. Everything else (topology, backends, serdes, HTTP, CLI) is a shell around it.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/io/pipelinesecrets/lifecycle");

    static final Set<String> CORE = Set.of("run", "resolution", "secrets", "port");

    /** The broker's server-side Java modules; its Scala core is {@code kafka.*}. */
    private static final List<String> BROKER_MODULES = List.of(
            "org.apache.kafka.controller", "org.apache.kafka.raft", "org.apache.kafka.metadata",
            "org.apache.kafka.image", "org.apache.kafka.storage", "org.apache.kafka.snapshot",
            "org.apache.kafka.coordinator", "org.apache.kafka.server");

    /** Under org.apache.kafka.server, but plugin interfaces that kafka-clients itself ships. */
    private static final List<String> CLIENT_PLUGIN_APIS = List.of(
            "org.apache.kafka.server.authorizer", "org.apache.kafka.server.policy",
            "org.apache.kafka.server.quota", "org.apache.kafka.server.telemetry");

    /** A package name followed by a class or a wildcard: {@code kafka.put(...)} on a variable is not a reference. */
    private static final Pattern PACKAGE_OF_A_CLASS = Pattern.compile(
            "(?<![\\w.])((?:kafka|scala|org\\.apache\\.kafka|io\\.pipelinesecrets)(?:\\.[a-z_]\\w*)*)\\.[A-Z*]");

    private static final Pattern REFERENCE = Pattern.compile(
            "\\b(?:import\\s+(?:static\\s+)?)?((?:org|com|io|software|kafka|scala)\\.[a-z_][\\w]*(?:\\.[a-z_][\\w]*)*)");

    @Test
    void shouldKeepTheCoreFreeOfKafkaCloudSdksAndAdapters() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path source : javaSources()) {
            String pkg = packageOf(source);
            if (CORE.contains(pkg)) {
                offenders.addAll(coreViolations(SOURCES.relativize(source).toString(), Files.readString(source)));
            }
        }
        assertThat(offenders).as("references from the core to anything but the JDK, the contracts and the core")
                .isEmpty();
    }

    @Test
    void shouldCatchACoreClassThatImportsKafkaOrAnAdapter() {
        String offending = """
                package io.pipelinesecrets.lifecycle.run;

                import io.pipelinesecrets.contracts.RunIds;
                import org.apache.kafka.streams.processor.api.Record;
                import io.pipelinesecrets.lifecycle.backend.aws.AwsErrors;

                final class Sneaky {
                    Object client = new software.amazon.awssdk.services.secretsmanager.model.Tag();
                }
                """;
        assertThat(coreViolations("run/Sneaky.java", offending)).containsExactly(
                "run/Sneaky.java: org.apache.kafka.streams.processor.api",
                "run/Sneaky.java: io.pipelinesecrets.lifecycle.backend.aws",
                "run/Sneaky.java: software.amazon.awssdk.services.secretsmanager.model");
    }

    @Test
    void shouldKeepTheBrokerOutOfTheServiceSources() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path source : javaSources()) {
            offenders.addAll(brokerReferences(SOURCES.relativize(source).toString(), Files.readString(source)));
        }
        assertThat(SOURCES).isDirectory();
        assertThat(offenders).as("service classes that reach a Kafka broker, Scala or the dev command").isEmpty();
    }

    @Test
    void shouldCatchAServiceClassThatReachesTheBroker() {
        String offending = """
                package io.pipelinesecrets.lifecycle.service;

                import org.apache.kafka.server.authorizer.Authorizer;
                import kafka.server.KafkaRaftServer;
                import org.apache.kafka.clients.admin.Admin;

                final class Sneaky {
                    String setting = "kafka.bootstrap.servers";
                    Object notAPackage = kafka.put(setting, 1);
                    Object controller = new org.apache.kafka.raft.QuorumConfig(null);
                    Object demo = io.pipelinesecrets.lifecycle.dev.DevDemo.class;
                    Object list = scala.collection.immutable.List.empty();
                }
                """;
        assertThat(brokerReferences("service/Sneaky.java", offending)).containsExactly(
                "service/Sneaky.java: kafka.server",
                "service/Sneaky.java: org.apache.kafka.raft",
                "service/Sneaky.java: io.pipelinesecrets.lifecycle.dev",
                "service/Sneaky.java: scala.collection.immutable");
    }

    /**
     * References to the broker (its Scala core {@code kafka.*}, its server-side modules, Scala) or to the
     * {@code dev} package, which lives in secrets-lifecycle-dev. String literals are left out: {@code "kafka.*"}
     * is the prefix of the Kafka client settings in the configuration.
     */
    static List<String> brokerReferences(String file, String source) {
        List<String> references = new ArrayList<>();
        Matcher names = PACKAGE_OF_A_CLASS.matcher(withoutComments(withoutStrings(source)));
        while (names.find()) {
            String name = names.group(1);
            if (reachesTheBroker(name)) {
                references.add(file + ": " + name);
            }
        }
        return references;
    }

    private static boolean reachesTheBroker(String qualifiedPackage) {
        if (within(qualifiedPackage, "kafka") || within(qualifiedPackage, "scala")
                || within(qualifiedPackage, "io.pipelinesecrets.lifecycle.dev")) {
            return true;
        }
        return BROKER_MODULES.stream().anyMatch(module -> within(qualifiedPackage, module))
                && CLIENT_PLUGIN_APIS.stream().noneMatch(api -> within(qualifiedPackage, api));
    }

    private static boolean within(String qualifiedPackage, String root) {
        return qualifiedPackage.equals(root) || qualifiedPackage.startsWith(root + ".");
    }

    private static String withoutStrings(String source) {
        return source.replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"").replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"");
    }

    static List<String> coreViolations(String file, String source) {
        List<String> violations = new ArrayList<>();
        Matcher references = REFERENCE.matcher(withoutComments(source));
        while (references.find()) {
            String name = references.group(1);
            if (!allowedInCore(name)) {
                violations.add(file + ": " + name);
            }
        }
        return violations;
    }

    private static boolean allowedInCore(String qualifiedPackage) {
        return within(qualifiedPackage, "io.pipelinesecrets.contracts")
                || within(qualifiedPackage, "io.pipelinesecrets.events")
                || CORE.stream().anyMatch(core -> qualifiedPackage.equals("io.pipelinesecrets.lifecycle." + core));
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    private static String packageOf(Path source) {
        Path relative = SOURCES.relativize(source.getParent());
        return relative.toString().replace('/', '.');
    }

    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
