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
        assertThat(out.toString()).contains("Provisions a workflow run's merged secret set")
                .containsPattern("(?m)^  run\\b").containsPattern("(?m)^  topics\\b")
                .containsPattern("(?m)^  schemas\\b");
    }

    @Test
    void shouldLeaveDevToTheDevJar() {
        assertThat(PipelineSecretsCli.commandLine().getSubcommands()).containsKey("run").doesNotContainKey("dev");
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).doesNotContainPattern("(?m)^  dev\\b");
    }

    @Test
    void shouldExplainEachCommandInItsOwnHelp() {
        assertThat(execute("run", "--help")).isZero();
        assertThat(out.toString()).contains("--config");
    }

    @Test
    void shouldExitWithUsageErrorWithoutACommandNamingTheCommandsAndWhereDevIs() {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command: use one of run, ")
                .contains("reconcile")
                .contains("`dev` is in secrets-lifecycle-dev.jar: ./pipeline-secrets dev");
    }

    @Test
    void shouldExitWithUsageErrorForAnUnknownOption() {
        assertThat(execute("run", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-such-option");
    }

    @Test
    void shouldPrintItsVersion() {
        assertThat(execute("--version")).isZero();
        assertThat(out.toString()).startsWith("pipeline-secrets ");
    }
}
