package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.contracts.PipelineSecretsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Set;

/**
 * Entry point of {@code secrets-lifecycle.jar}. Exit codes: 0 success, 1 the command failed, 2 usage error.
 * The {@code dev} command is not here: it runs an embedded broker, which stays out of the service jar and its image
 * ({@code secrets-lifecycle-dev} adds it to this command line).
 */
@Command(
        name = "pipeline-secrets",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Provisions a workflow run's merged secret set into its compute environment's secrets manager",
                "when the run is launched, and deletes it when the run completes, driven by Kafka events."},
        subcommands = {RunCommand.class, SchemasCommand.class, TopicsCommand.class, RunsCommand.class,
                ReplayCommand.class, ReconcileCommand.class, CommandLine.HelpCommand.class})
public final class PipelineSecretsCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for {@link #main} and for tests that assert exit codes and output. */
    public static CommandLine commandLine() {
        return new CommandLine(new PipelineSecretsCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true)
                .setExecutionExceptionHandler(PipelineSecretsCli::explainFailure);
    }

    /**
     * A {@link PipelineSecretsException} tells the operator what happened and what to do: it is printed as that
     * message, without a stack trace, and exits 1; anything else is unexpected and keeps picocli's full report
     * (also exit 1).
     */
    private static int explainFailure(Exception failure, CommandLine command, CommandLine.ParseResult parsed)
            throws Exception {
        if (failure instanceof PipelineSecretsException) {
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
            command.getErr().flush();
            return 1;
        }
        throw failure;
    }

    /**
     * Names the commands this jar has: secrets-lifecycle-dev.jar adds {@code dev} to this same command line, and
     * from this jar a user looking for it learns where it is.
     */
    @Override
    public void run() {
        Set<String> commands = spec.subcommands().keySet();
        String hint = "Missing command: use one of " + String.join(", ", commands) + " (--help explains each)";
        if (!commands.contains("dev")) {
            hint += "; `dev` is in secrets-lifecycle-dev.jar: ./pipeline-secrets dev";
        }
        throw new CommandLine.ParameterException(spec.commandLine(), hint);
    }
}
