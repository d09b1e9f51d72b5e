package io.pipelinesecrets.lifecycle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing, help and exit codes of the operator commands; nothing here reaches Kafka. */
class OperatorCommandsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int execute(String... args) {
        CommandLine cli = PipelineSecretsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** The help as words: picocli wraps it to the terminal's width. */
    private static String words(StringWriter text) {
        return text.toString().replace("\\\n", " ").replaceAll("\\s+", " ");
    }

    @Test
    void shouldListTheOperatorCommandsInTheTopLevelHelp() {
        assertThat(execute("--help")).isZero();

        assertThat(out.toString()).contains("topics").contains("runs").contains("replay").contains("schemas");
    }

    @ParameterizedTest
    @CsvSource({
            "topics apply, --dry-run, pipeline-secrets topics apply --config service.properties --dry-run",
            "runs show, --json, pipeline-secrets runs show 4Bi5xBK6E2Nbhj --config service.properties --json",
            "replay completions, --execute, event id replay-completion:<runId>",
            "replay dead-letters, --limit=N, --code UNKNOWN_SCHEMA_ID --execute"})
    void shouldDescribeEachCommandWithExamples(String command, String option, String example) {
        String[] words = command.split(" ");

        assertThat(execute(words[0], words[1], "--help")).isZero();

        assertThat(out.toString()).contains("--config=FILE").contains(option).contains("Examples:");
        assertThat(words(out)).contains(example);
    }

    @Test
    void shouldExplainInTheHelpWhyReplayingDeadLettersIsSafe() {
        execute("replay", "dead-letters", "--help");

        assertThat(words(out)).contains("Safe by construction").contains("idempotent")
                .contains("audit event ids derive from event ids").contains("secrets topic are never re-published");
    }

    @Test
    void shouldAskForTheSubcommandOfAGroup() {
        assertThat(execute("topics")).isEqualTo(2);
        assertThat(execute("runs")).isEqualTo(2);
        assertThat(execute("replay")).isEqualTo(2);

        assertThat(err.toString()).contains("Missing subcommand: apply").contains("Missing subcommand: show")
                .contains("Missing subcommand: completions or dead-letters");
    }

    @Test
    void shouldRequireAtLeastOneRunToReplay() {
        assertThat(execute("replay", "completions", "--config", "x.properties")).isEqualTo(2);

        assertThat(err.toString()).contains("--run");
    }

    @Test
    void shouldAcceptSeveralRunsAfterOneOption() {
        CommandLine cli = PipelineSecretsCli.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("replay", "completions", "--run", "a", "b", "--run", "c");

        ReplayCommand.Completions completions = (ReplayCommand.Completions) parsed.subcommand().subcommand()
                .commandSpec().userObject();
        assertThat(completions.runs).containsExactly("a", "b", "c");
        assertThat(completions.execute).isFalse();
    }

    @Test
    void shouldRefuseAnInvalidRunIdBeforeReadingAnything() {
        assertThat(execute("runs", "show", "../etc", "--config", "x.properties")).isEqualTo(2);
        assertThat(execute("replay", "completions", "--run", "ok-1", "--run", "no/slash")).isEqualTo(2);

        assertThat(err.toString()).contains("must start with a letter or digit").contains("may contain only");
    }

    @Test
    void shouldRefuseALimitBelowOne() {
        assertThat(execute("replay", "dead-letters", "--limit", "0")).isEqualTo(2);

        assertThat(err.toString()).contains("--limit must be at least 1");
    }

    @Test
    void shouldReportEveryConfigurationProblemAndExitOne() throws IOException {
        Path config = Files.writeString(dir.resolve("service.properties"), "topics.partitions=0\ntopics.replication-factor=x\n");

        assertThat(execute("topics", "apply", "--config", config.toString())).isEqualTo(1);

        assertThat(err.toString()).startsWith("pipeline-secrets topics apply: invalid configuration")
                .contains("kafka.bootstrap.servers is required")
                .contains("topics.partitions=0 must be at least 1")
                .contains("topics.replication-factor=x is not valid")
                .doesNotContain("\tat ");
    }
}
