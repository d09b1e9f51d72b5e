package io.pipelinesecrets.lifecycle;

import io.pipelinesecrets.lifecycle.config.ConfigurationReference;
import io.pipelinesecrets.lifecycle.config.Key;
import io.pipelinesecrets.lifecycle.config.PerComputeEnv;
import io.pipelinesecrets.lifecycle.config.ServiceKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/configuration.md} is what {@link ConfigurationReference} renders from the key declarations, and the
 * README points at it. With {@code -Dconfiguration.reference.write=true} the test rewrites the page instead of
 * failing, which is how it is regenerated ({@link ConfigurationReference#REGENERATE}).
 */
class ConfigurationReferenceTest {

    private static final Path ROOT = Path.of("../..");
    private static final Path PAGE = ROOT.resolve(ConfigurationReference.PAGE);

    @Test
    void shouldMatchTheCommittedConfigurationReferenceWithWhatTheKeysRender() throws IOException {
        String rendered = ConfigurationReference.markdown();
        if (Boolean.getBoolean("configuration.reference.write")) {
            Files.writeString(PAGE, rendered, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";

        assertThat(committed)
                .as("%s is not what the key declarations (ServiceKeys) render; regenerate it from the repository's"
                        + " root with:%n  %s%n", ConfigurationReference.PAGE, ConfigurationReference.REGENERATE)
                .isEqualTo(rendered);
    }

    @Test
    void shouldListEveryKeyAndEveryPerComputeEnvironmentKeyInTheReference() {
        String rendered = ConfigurationReference.markdown();

        assertThat(ServiceKeys.ALL).allSatisfy(key -> assertThat(rendered).contains("| `" + key.name() + "` |"));
        assertThat(ServiceKeys.PER_COMPUTE_ENV).allSatisfy(setting -> assertThat(rendered)
                .contains("| `" + setting.pattern() + "` | `" + setting.environmentPattern() + "` |"));
    }

    @Test
    void shouldDeclareEveryKeyOnceWithADefaultItsOwnTypeAndRulesAccept() {
        assertThat(ServiceKeys.BY_NAME).hasSameSizeAs(ServiceKeys.ALL);
        assertThat(ServiceKeys.ALL).allSatisfy(key -> assertThat(key.description()).isNotBlank())
                .allSatisfy(ConfigurationReferenceTest::defaultIsValid);
        assertThat(ServiceKeys.PER_COMPUTE_ENV).extracting(PerComputeEnv::pattern).doesNotHaveDuplicates();
    }

    @Test
    void shouldPointTheReadmeAtTheReference() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);

        assertThat(readme).contains("](" + ConfigurationReference.PAGE + ")");
    }

    private static void defaultIsValid(Key<?> key) {
        if (key.hasDefault()) {
            assertThat(key.defaultValue()).as("default of %s", key.name()).isPresent();
            assertThat(readsWithoutProblem(key)).as("%s=%s passes its own rules", key.name(), key.defaultText()).isTrue();
        }
    }

    private static <T> boolean readsWithoutProblem(Key<T> key) {
        T value = key.defaultValue().orElseThrow();
        return key.rules().stream().allMatch(rule -> rule.holds().test(value));
    }
}
