package io.pipelinesecrets.testing.aws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The standalone entry point: argument parsing, and a real process serving the real SDK. */
@Timeout(60)
class SecretsManagerDoubleMainTest {

    @Test
    void shouldListenOn4566WithTheDefaultSettingsWhenGivenNoArguments() {
        DoubleSettings settings = SecretsManagerDoubleMain.parse(List.of());

        assertThat(settings).isEqualTo(DoubleSettings.defaults().withPort(4566));
    }

    @Test
    void shouldTakeEveryOption() {
        DoubleSettings settings = SecretsManagerDoubleMain.parse(List.of("--port", "0", "--host", "0.0.0.0",
                "--region", "eu-central-1", "--account", "111122223333", "--force-delete-delay", "300ms",
                "--list-lag", "PT1S", "--quota-per-second", "50"));

        assertThat(settings).isEqualTo(new DoubleSettings("0.0.0.0", 0, "eu-central-1", "111122223333",
                Duration.ofMillis(300), Duration.ofSeconds(1), 50));
    }

    @Test
    void shouldRejectUnknownOptionsMissingValuesAndBadDurations() {
        assertThatThrownBy(() -> SecretsManagerDoubleMain.parse(List.of("--colour", "red")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--colour");
        assertThatThrownBy(() -> SecretsManagerDoubleMain.parse(List.of("--port")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> SecretsManagerDoubleMain.parse(List.of("--force-delete-delay", "2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> SecretsManagerDoubleMain.parse(List.of("--port", "70000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
    }

    @Test
    void shouldServeTheSdkFromItsOwnProcessUntilKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SecretsManagerDoubleMain.class.getName(), "--port", "0", "--region", "eu-west-1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            // Logging may share standard output; the announcement is the line that matters.
            Pattern announcement = Pattern.compile("Secrets Manager double listening on (http://127\\.0\\.0\\.1:\\d+)");
            List<String> seen = new ArrayList<>();
            Matcher listening = null;
            for (String line = out.readLine(); line != null && seen.size() < 50; line = out.readLine()) {
                seen.add(line);
                Matcher candidate = announcement.matcher(line);
                if (candidate.matches()) {
                    listening = candidate;
                    break;
                }
            }
            assertThat(listening).as("an announcement of the endpoint among %s", seen).isNotNull();

            try (SecretsManagerClient client = SecretsManagerClient.builder()
                    .endpointOverride(URI.create(listening.group(1)))
                    .region(Region.EU_WEST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .build()) {
                String arn = client.createSecret(b -> b.name("standalone").secretString("v")).arn();
                assertThat(arn).startsWith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:standalone-");
            }
        } finally {
            process.destroy();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
        }
    }
}
