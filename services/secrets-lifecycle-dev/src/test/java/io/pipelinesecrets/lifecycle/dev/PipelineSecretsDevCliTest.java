package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import io.pipelinesecrets.testing.net.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineSecretsDevCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @TempDir
    Path dataDirectory;

    private int execute(String... args) {
        CommandLine cli = PipelineSecretsDevCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldOfferEveryServiceCommandAndDev() {
        assertThat(PipelineSecretsDevCli.commandLine().getSubcommands().keySet())
                .containsAll(PipelineSecretsCli.commandLine().getSubcommands().keySet())
                .contains("dev");
    }

    @Test
    void shouldListDevInTheHelp() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).containsPattern("(?m)^  dev\\b").containsPattern("(?m)^  run\\b")
                .containsPattern("(?ms)^  dev\\b.*^  help\\b")
                .contains("Provisions a workflow run's merged secret set");
    }

    @Test
    void shouldExplainDevThroughTheHelpCommandToo() {
        assertThat(execute("help", "dev")).isZero();
        assertThat(out.toString()).contains("--demo");
    }

    @Test
    void shouldExplainDevInItsOwnHelp() {
        assertThat(execute("dev", "--help")).isZero();
        assertThat(out.toString()).contains("--data-dir").contains("--kafka-port").contains("9092").contains("--demo");
    }

    @Test
    void shouldNameDevAmongTheCommandsWithoutPointingElsewhere() {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command: use one of ").contains("reconcile, dev, help ")
                .doesNotContain("secrets-lifecycle-dev.jar");
    }

    @Test
    void shouldOfferTheGoogleBackendWithTheDoublesDefaultEndpoint() {
        assertThat(execute("dev", "--help")).isZero();
        // The help wraps its lines wherever the terminal width says.
        assertThat(out.toString().replaceAll("\\s+", "")).contains("filesystem,awsorgoogle").contains("--google-endpoint")
                .contains("(default:http://127.0.0.1:8085)").contains("io.pipelinesecrets.testing.gcp.SecretManagerDoubleMain")
                .contains("--google-project").contains("(default:pipeline-secrets-dev)");
    }

    /**
     * {@code dev --broker-only} on free ports in a temporary directory with {@code options}: each test expects a usage
     * error before anything starts; should one start a broker instead, it waits for Ctrl-C and the timeout fails it.
     */
    private int executeDev(String... options) {
        List<String> args = new ArrayList<>(List.of("dev", "--broker-only", "--data-dir", dataDirectory.toString(),
                "--kafka-port", Integer.toString(FreePorts.next()), "--controller-port", Integer.toString(FreePorts.next())));
        args.addAll(List.of(options));
        return execute(args.toArray(String[]::new));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAnUnknownBackendBeforeStartingAnything() {
        assertThat(executeDev("--backend", "gcp")).isEqualTo(2);
        assertThat(err.toString()).contains("--backend must be filesystem, aws or google, not gcp");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAGoogleEndpointThatIsNotPlainTextSoThatDevNeverUsesRealCredentials() {
        assertThat(executeDev("--backend", "google", "--google-endpoint", "https://secretmanager.googleapis.com"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--google-endpoint must be a plain-text endpoint http://HOST:PORT");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAGoogleEndpointWithoutAPort() {
        assertThat(executeDev("--backend", "google", "--google-endpoint", "http://localhost")).isEqualTo(2);
        assertThat(err.toString()).contains("--google-endpoint must be a plain-text endpoint http://HOST:PORT");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAGoogleProjectSecretManagerWouldRefuse() {
        assertThat(executeDev("--backend", "google", "--google-project", "My_Project")).isEqualTo(2);
        assertThat(err.toString()).contains("--google-project must be a project id").contains("My_Project");
    }

    @Test
    void shouldExitWithUsageErrorForAnUnknownDevOption() {
        assertThat(execute("dev", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-such-option");
    }
}
