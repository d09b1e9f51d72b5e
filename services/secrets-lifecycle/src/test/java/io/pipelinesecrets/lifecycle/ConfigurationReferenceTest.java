package io.pipelinesecrets.lifecycle;

import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration reference lists every key the service reads. */
class ConfigurationReferenceTest {

    @Test
    void shouldDocumentEveryConfigurationKeyInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"));

        assertThat(ConfigLoader.KEYS.keySet()).allSatisfy(key -> assertThat(readme).contains("| `" + key + "` |"));
    }
}
