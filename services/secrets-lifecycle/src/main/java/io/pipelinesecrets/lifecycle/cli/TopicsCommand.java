package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.service.KafkaClientSettings;
import io.pipelinesecrets.lifecycle.service.ObservedTopic;
import io.pipelinesecrets.lifecycle.service.TopicCheck;
import io.pipelinesecrets.lifecycle.service.TopicDrift;
import io.pipelinesecrets.lifecycle.service.TopicLayout;
import io.pipelinesecrets.lifecycle.service.TopicPlan;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** The service's topics: create what is missing, report what drifted. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create the service's Kafka topics and check them for drift.",
        subcommands = TopicsCommand.Apply.class)
final class TopicsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw CommandGroups.missingSubcommand(spec);
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description = {
                    "Create every missing topic of the configuration (topics.launched, topics.completed, "
                            + "topics.secrets, topics.audit, topics.dlq) with topics.partitions partitions (the DLQ: "
                            + "1), topics.replication-factor replicas and its policy: the workflow topics delete after "
                            + "7 days, the secrets topic is compacted, the audit and dead-letter topics delete after 30 "
                            + "days; min.insync.replicas is 2 from 3 replicas up.",
                    "",
                    "Existing topics are never changed: their partitions, replication, cleanup.policy, "
                            + "retention.ms and min.insync.replicas are compared with the layout and every difference "
                            + "is reported with the command that fixes it. A missing workflow topic whose twin exists "
                            + "gets the twin's partition count.",
                    "",
                    "Exit status: 0 when every topic is as expected (after creating the missing ones), 1 on "
                            + "drift or error, and with --dry-run also when a topic would be created."},
            footer = {
                    "",
                    "Examples:",
                    "  # what would change, changing nothing (exit 1 if anything would)",
                    "  pipeline-secrets topics apply --config service.properties --dry-run",
                    "",
                    "  # create what is missing; Kafka security comes from the kafka.* keys or",
                    "  # PIPELINE_SECRETS_KAFKA_* variables, as for the service",
                    "  PIPELINE_SECRETS_KAFKA_SECURITY_PROTOCOL=SASL_SSL \\",
                    "      pipeline-secrets topics apply --config service.properties"})
    static final class Apply implements Callable<Integer> {

        @Mixin
        ServiceConfigOption configuration;

        @Option(names = "--dry-run", description = "Report what would be created and what drifted; change nothing.")
        boolean dryRun;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ServiceConfig config = configuration.load();
            TopicLayout layout = new TopicLayout(config.topics(), config.topicSizing());
            TopicPlan plan;
            try (Admin admin = Admin.create(KafkaClientSettings.admin(KafkaClientSettings.of(config)))) {
                Map<String, ObservedTopic> existing = TopicCheck.observe(admin, config.topics().all());
                plan = TopicPlan.of(layout, existing, config.bootstrapServers());
                if (!dryRun) {
                    TopicCheck.create(admin, plan.toCreate());
                }
            }
            print(out, config, layout, plan);
            out.flush();
            if (dryRun) {
                return plan.nothingToDo() ? 0 : 1;
            }
            return plan.drift().isEmpty() ? 0 : 1;
        }

        private void print(PrintWriter out, ServiceConfig config, TopicLayout layout, TopicPlan plan) {
            out.println("Topics on " + config.bootstrapServers() + " (layout: " + layout.partitions() + " partitions,"
                    + " replication " + layout.replication() + ", min.insync.replicas " + layout.minInsyncReplicas()
                    + ")" + (dryRun ? " -- dry run, nothing is changed" : ""));
            out.println();
            Table topics = new Table("TOPIC", "PARTITIONS", "REPLICATION", "POLICY", "STATUS");
            for (NewTopic wanted : layout.newTopics()) {
                NewTopic created = plan.toCreate().stream().filter(t -> t.name().equals(wanted.name())).findFirst()
                        .orElse(null);
                NewTopic shown = created == null ? wanted : created;
                long drifted = plan.drift().stream().filter(d -> d.topic().equals(wanted.name())).count();
                String status = created != null ? (dryRun ? "MISSING: would be created" : "created")
                        : drifted > 0 ? "DRIFT (" + drifted + ")" : "ok";
                topics.row(wanted.name(), shown.numPartitions(), shown.replicationFactor(), policy(shown), status);
            }
            topics.print(out);
            if (!plan.drift().isEmpty()) {
                out.println();
                out.println("Drift (existing topics are never changed; fix them, or the configuration):");
                Table drift = new Table("TOPIC", "SETTING", "EXPECTED", "ACTUAL");
                plan.drift().forEach(d -> drift.row(d.topic(), d.setting(), d.expected(), d.actual()));
                drift.print(out);
                out.println();
                out.println("To fix:");
                Set<String> fixes = new LinkedHashSet<>();
                plan.drift().forEach(d -> fixes.add(d.fix()));
                fixes.forEach(fix -> out.println("  " + fix));
            }
            plan.notes().forEach(note -> out.println("Note: " + note));
            out.println();
            out.println((dryRun ? "Would create " : "Created ") + plan.toCreate().size() + ", as expected "
                    + plan.asExpected().size() + ", drifted "
                    + plan.drift().stream().map(TopicDrift::topic).distinct().count() + ".");
        }

        private static String policy(NewTopic topic) {
            Map<String, String> configs = topic.configs();
            String policy = configs.getOrDefault("cleanup.policy", "delete");
            String retention = configs.get("retention.ms");
            if (retention == null) {
                return policy;
            }
            long days = Long.parseLong(retention) / 86_400_000L;
            return policy + ", " + (days > 0 ? days + "d" : retention + " ms");
        }
    }
}
