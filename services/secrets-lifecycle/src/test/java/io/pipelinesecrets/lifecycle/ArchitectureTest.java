package io.pipelinesecrets.lifecycle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Dependency rules the compiler cannot enforce, checked on the sources' imports. */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/io/pipelinesecrets/lifecycle");

    @Test
    void shouldKeepTheBrokerOutOfEverythingButTheDevPackageAndItsCommand() throws IOException {
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
        assertThat(offenders).as("classes outside dev/ that reach the embedded broker").isEmpty();
    }

    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
