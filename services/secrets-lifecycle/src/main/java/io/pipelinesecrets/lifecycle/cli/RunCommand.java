package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.config.ConfigException;
import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.service.StartupException;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the service against an external Kafka cluster and schema registry. Never starts a broker.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
                "Run the service against an external Kafka cluster and schema registry (production).",
                "Settings come from --config and from PIPELINE_SECRETS_* environment variables (which win);",
                "see docs/configuration.md. Never starts a broker of its own."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Service configuration (a properties file).")
    Path configFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ServiceConfig config;
        try {
            config = ConfigLoader.load(Optional.ofNullable(configFile), System.getenv());
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        ServiceRuntime runtime;
        try {
            runtime = ServiceRuntime.start(config,
                    SchemaRegistries.open(config.schemaRegistryUrl(), config.schemaRegistrySettings()));
        } catch (StartupException | IllegalArgumentException e) {
            err.println("cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "run-shutdown"));
        stopped.await();
        return 0;
    }
}
