package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.reconcile.AuditTopicWriter;
import io.pipelinesecrets.lifecycle.reconcile.ReconcileReport;
import io.pipelinesecrets.lifecycle.reconcile.Reconciler;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.service.KafkaClientSettings;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** One reconcile pass from the command line: what the service owns that belongs to no run in progress. */
@Command(
        name = "reconcile",
        mixinStandardHelpOptions = true,
        description = {
                "List what the service owns in each configured backend (Secrets Manager secrets tagged managed-by="
                        + "<instance.id>, in every allowed region and role; run directories carrying the .managed-by "
                        + "mark under the filesystem roots), compare it with the run states in the run-state changelog, "
                        + "and delete what belongs to no run in progress and is older than the grace period. Each "
                        + "deletion is an ORPHAN_DELETED audit event. Nothing without the mark is ever listed or "
                        + "touched. Exit status: 0 all done, 1 a deletion or listing failed."},
        footer = {
                "",
                "Examples:",
                "  pipeline-secrets reconcile --config service.properties --dry-run",
                "  pipeline-secrets reconcile --config service.properties --grace-period PT6H"})
final class ReconcileCommand implements Callable<Integer> {

    @Mixin
    ServiceConfigOption configuration;

    @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing, write no audit event.")
    boolean dryRun;

    @Option(names = "--grace-period", paramLabel = "DURATION",
            description = "Keep what is younger than this (default: reconcile.grace-period, PT1H). It must cover "
                    + "ListSecrets' eventual consistency.")
    Duration grace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ServiceConfig config = configuration.load();
        List<SecretsBackend> backends = ConfiguredBackends.create(config, ConfiguredBackends.standardCredentials(config));
        RunStateChangelog changelog = RunStateChangelog.of(config, ServiceConfigOption.READ_TIMEOUT);
        try (AuditTopicWriter audit = new AuditTopicWriter(KafkaClientSettings.of(config), config.topics().audit(),
                SchemaRegistries.open(config.schemaRegistryUrl(), config.schemaRegistrySettings()),
                config.autoRegisterSchemas(), Clock.systemUTC())) {
            Reconciler reconciler = new Reconciler(backends, changelog::readAll, audit,
                    grace != null ? grace : config.reconcile().grace(), Clock.systemUTC());
            ReconcileReport report = reconciler.reconcile(dryRun);
            print(spec.commandLine().getOut(), report);
            return report.anyFailed() ? 1 : 0;
        } finally {
            backends.forEach(SecretsBackend::close);
        }
    }

    static void print(PrintWriter out, ReconcileReport report) {
        Table table = new Table("BACKEND", "RUN", "REF", "REASON", "ACTION");
        report.lines().forEach(line -> table.row(line.backend(), line.runId(), line.ref(), line.reason(), line.action()));
        table.print(out);
        out.println();
        out.println((report.dryRun() ? "dry run, " : "") + report.runStates() + " run state(s) compared; "
                + report.summary());
        out.flush();
    }
}
