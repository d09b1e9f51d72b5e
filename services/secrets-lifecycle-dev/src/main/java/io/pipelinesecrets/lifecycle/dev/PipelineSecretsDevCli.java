package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import picocli.CommandLine;

/**
 * Entry point of {@code secrets-lifecycle-dev.jar}: the service's whole CLI plus {@code dev}. The service jar
 * leaves {@code dev} out, so that neither it nor the image carries a Kafka broker and Scala. Exit codes as the
 * service CLI's: 0 success, 1 the command failed, 2 usage error.
 */
public final class PipelineSecretsDevCli {

    private PipelineSecretsDevCli() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for {@link #main} and for tests that assert exit codes and output. */
    public static CommandLine commandLine() {
        CommandLine cli = PipelineSecretsCli.commandLine();
        // Re-added after dev, so that the usage lists `help` last, as the service's does.
        CommandLine help = cli.getCommandSpec().removeSubcommand("help");
        cli.addSubcommand("dev", new DevCommand());
        if (help != null) {
            cli.addSubcommand("help", help);
        }
        return cli;
    }
}
