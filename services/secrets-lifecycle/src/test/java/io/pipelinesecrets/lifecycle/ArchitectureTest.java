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
            String relative = SOURCES.relativize(source).toString();
            if (relative.startsWith("dev/") || relative.equals("cli/DevCommand.java")) {
                continue;
            }
            for (String line : Files.readAllLines(source)) {
                if (line.startsWith("import kafka.") || line.startsWith("import org.apache.kafka.server.")
                        || line.startsWith("import io.pipelinesecrets.lifecycle.dev.")) {
                    offenders.add(relative + ": " + line);
                }
            }
        }
        assertThat(SOURCES).isDirectory();
        assertThat(offenders).as("service classes that reach the embedded broker").isEmpty();
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
        if (qualifiedPackage.startsWith("io.pipelinesecrets.contracts")
                || qualifiedPackage.startsWith("io.pipelinesecrets.events")) {
            return true;
        }
        String lifecycle = "io.pipelinesecrets.lifecycle";
        if (qualifiedPackage.equals(lifecycle)) {
            return false;
        }
        if (qualifiedPackage.startsWith(lifecycle + ".")) {
            String rest = qualifiedPackage.substring(lifecycle.length() + 1);
            return rest.indexOf('.') < 0 && CORE.contains(rest);
        }
        return false;
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
