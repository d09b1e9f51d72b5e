package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineSecretsDevCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

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
    void shouldExitWithUsageErrorForAnUnknownDevOption() {
        assertThat(execute("dev", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-such-option");
    }
}
