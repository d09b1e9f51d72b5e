package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import io.pipelinesecrets.contracts.RunIds;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.topology.RunStateSerde;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

/** What the service knows about runs, read from its run-state changelog. */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description = "Inspect runs as the service knows them (state and secret names, never values).",
        subcommands = RunsCommand.Show.class)
final class RunsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw CommandGroups.missingSubcommand(spec);
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = {
                    "Print the latest state of one run from the service's run-state changelog "
                            + "(<application.id>-run-state-changelog): phase, backend, compute environment, each "
                            + "secret's name, scope, status and backend reference (file or ARN), attempts, last error "
                            + "and timestamps. A run state holds no secret value, so none can be printed. The service "
                            + "need not be running; the state is as of its last commit. Exit status: 0 found, 1 unknown "
                            + "run or error."},
            footer = {
                    "",
                    "Examples:",
                    "  pipeline-secrets runs show 4Bi5xBK6E2Nbhj --config service.properties",
                    "  pipeline-secrets runs show 4Bi5xBK6E2Nbhj --config service.properties \\",
                    "      --json | jq .phase"})
    static final class Show implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run (workflow) id.")
        String runId;

        @Mixin
        ServiceConfigOption configuration;

        @Option(names = "--json", description = "Print the state as JSON, as GET /runs/RUN_ID serves it.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            RunIds.problem(runId).ifPresent(problem -> {
                throw new CommandLine.ParameterException(spec.commandLine(), problem);
            });
            ServiceConfig config = configuration.load();
            RunStateChangelog changelog = RunStateChangelog.of(config, ServiceConfigOption.READ_TIMEOUT);
            Optional<RunState> state = changelog.find(runId);
            if (state.isEmpty()) {
                spec.commandLine().getErr().println("run " + runId + ": no state in " + changelog.topic()
                            + " (the service with application.id " + config.applicationId() + " does not know it, or"
                            + " released it more than 8 days ago and forgot it)");
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(RunStateSerde.toJson(state.get()));
            } else {
                print(out, state.get());
            }
            out.flush();
            return 0;
        }

        static void print(PrintWriter out, RunState state) {
            RunOrigin origin = state.origin();
            OperationProgress progress = state.progress();
            RunTarget target = origin.target();
            Table fields = new Table("RUN", state.runId());
            fields.row("phase", state.phase() + (progress.inFlight() ? " (backend call in flight)" : ""));
            fields.row("backend", origin.backend());
            if (target != null) {
                fields.row("workspace / user", target.workspaceId() + " / " + target.userId());
                fields.row("compute env", target.computeEnvId() + " (" + target.platform() + ")");
                if (target.region() != null) {
                    fields.row("region", target.region());
                }
                if (target.accountRoleArn() != null) {
                    fields.row("role", target.accountRoleArn());
                }
                if (target.secretsPath() != null) {
                    fields.row("secrets path", target.secretsPath());
                }
            }
            if (origin.selection() != null) {
                fields.row("selection", "workspace " + origin.selection().workspaceSecrets() + ", user "
                        + origin.selection().userSecrets());
            }
            fields.row("launched", origin.launchedAt() == null ? null
                    : origin.launchedAt() + "  (event " + origin.launchEventId() + ")");
            fields.row("completion", state.ending().completionEventId());
            fields.row("release reason", state.ending().releaseReason());
            fields.row("attempts", progress.attempt() + " (retryable failures of the current operation: "
                    + progress.retryableFailures() + ")");
            fields.row("next attempt", progress.nextAttemptAt());
            fields.row("last error", state.lastError() == null ? null
                    : state.lastError().code() + ": " + state.lastError().message());
            fields.row("operation since", progress.startedAt());
            fields.row("updated", state.updatedAt());
            fields.print(out);
            out.println();
            out.println("Secrets (" + state.manifest().size() + "):");
            Table secrets = new Table("NAME", "SCOPE", "VERSION", "STATUS", "ERROR", "BACKEND REF");
            for (ManifestEntry entry : state.manifest()) {
                secrets.row(entry.name(), entry.scope(), entry.version(), entry.status(), entry.lastErrorCode(),
                        entry.backendRef());
            }
            secrets.print(out);
        }
    }
}
