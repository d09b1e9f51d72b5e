package io.pipelinesecrets.lifecycle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Runs the service against an external Kafka cluster and schema registry. Never starts a broker.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
                "Run the service against an external Kafka cluster and schema registry (production).",
                "Never starts a broker of its own."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Service configuration (properties file).")
    Path configFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(
                "run: the lifecycle topology is not in this build yet; use `dev` to start the embedded broker.");
        return 1;
    }
}
