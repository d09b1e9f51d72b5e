package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.schemas.EventSubjects;
import io.pipelinesecrets.serde.registry.RegisteredSchema;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Schema registry chores for the deploy pipeline. */
@Command(
        name = "schemas",
        mixinStandardHelpOptions = true,
        description = "Manage the event schemas in a Confluent-compatible schema registry.",
        subcommands = {SchemasCommand.Register.class})
final class SchemasCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw CommandGroups.missingSubcommand(spec);
    }

    @Command(
            name = "register",
            mixinStandardHelpOptions = true,
            description = {
                    "Register every event schema (schemas/*.avsc, as built into this jar) under its subject",
                    "<topic>-value and report, per subject, the id and version or why the registry refused it.",
                    "Idempotent: an already registered schema keeps its id. Exit 1 if any subject refused."})
    static final class Register implements Callable<Integer> {

        @Option(names = "--url", required = true, paramLabel = "URL",
                description = "Schema registry URL(s), comma-separated, e.g. http://registry:8081")
        String url;

        @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "",
                description = "Prefix of every topic name, when the deployment prefixes them (default: none).")
        String topicPrefix;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            SchemaRegistry registry = SchemaRegistries.open(url);
            int refused = 0;
            out.printf("%-40s %-40s %s%n", "subject", "schema", "result");
            for (EventSubjects.Subject subject : EventSubjects.of(ServiceTopics.DEFAULTS.prefixed(topicPrefix)).subjects()) {
                String result;
                try {
                    RegisteredSchema registered = registry.register(subject.name(), subject.schema());
                    result = "registered: id " + registered.id() + ", version " + registered.version();
                } catch (SchemaRegistryException e) {
                    refused++;
                    result = "REFUSED (" + e.errorCode() + "): " + e.getMessage();
                }
                out.printf("%-40s %-40s %s%n", subject.name(), subject.schema().getFullName(), result);
            }
            out.flush();
            return refused == 0 ? 0 : 1;
        }
    }
}
