package io.pipelinesecrets.lifecycle.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineSecretsCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cli = PipelineSecretsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldListItsCommandsInTheHelp() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("run").contains("dev").contains("Provisions a workflow run's merged secret set");
    }

    @Test
    void shouldExplainEachCommandInItsOwnHelp() {
        assertThat(execute("dev", "--help")).isZero();
        assertThat(out.toString()).contains("--data-dir").contains("--kafka-port").contains("9092");
    }

    @Test
    void shouldExitWithUsageErrorWithoutACommand() {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command");
    }

    @Test
    void shouldExitWithUsageErrorForAnUnknownOption() {
        assertThat(execute("dev", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-such-option");
    }

    @Test
    void shouldPrintItsVersion() {
        assertThat(execute("--version")).isZero();
        assertThat(out.toString()).startsWith("pipeline-secrets ");
    }
}
