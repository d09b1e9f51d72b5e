package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.replay.CompletionReplay;
import io.pipelinesecrets.lifecycle.replay.CompletionReplay.Decision;
import io.pipelinesecrets.lifecycle.replay.DeadLetterReplay;
import io.pipelinesecrets.contracts.RunIds;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.service.BoundedTopicReader;
import io.pipelinesecrets.lifecycle.service.KafkaClientSettings;
import io.pipelinesecrets.lifecycle.service.ObservedTopic;
import io.pipelinesecrets.lifecycle.service.TopicCheck;
import io.pipelinesecrets.serde.SpecificAvroSerializer;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Re-drive work the service did not finish, in ways its idempotent processing makes safe. Dry runs by default. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
                "Re-drive what the service did not finish: releases of runs that never got a completion, "
                        + "and records that were dead-lettered. Both only print what they would do unless given "
                        + "--execute."},
        subcommands = {ReplayCommand.Completions.class, ReplayCommand.DeadLetters.class})
final class ReplayCommand implements Runnable {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw CommandGroups.missingSubcommand(spec);
    }

    @Command(
            name = "completions",
            mixinStandardHelpOptions = true,
            description = {
                    "Re-drive the release of runs whose completion never came (or was lost): for each --run, "
                            + "read its state from the run-state changelog and, only if the service knows the run and "
                            + "it has had no completion (ACTIVE, PROVISIONING, ROLLING_BACK, FAILED), send a "
                            + "WorkflowCompleted with status UNKNOWN and event id replay-completion:<runId> to "
                            + "topics.completed, on the partition of the task holding the run. The service then deletes "
                            + "the run's secrets as for any completion.",
                    "",
                    "Safe by construction: unknown runs are refused (a completion would mark them released "
                            + "and make their launch provision nothing), released runs are refused (nothing to delete), "
                            + "runs that already have a completion are refused (the service retries their release until "
                            + "it succeeds). Sending twice is harmless: the same event id is skipped as a duplicate. "
                            + "Values are never read.",
                    "",
                    "Without --execute, prints what it would send. Exit status: 0 when every run was (or "
                            + "would be) re-driven, 1 when any was refused or on error."},
            footer = {
                    "",
                    "Examples:",
                    "  # what would be sent for two runs",
                    "  pipeline-secrets replay completions --config service.properties \\",
                    "      --run 4Bi5xBK6E2Nbhj --run 2xYzQ7WbN1",
                    "",
                    "  # send it for one, then check that the run is RELEASED",
                    "  pipeline-secrets replay completions --config service.properties \\",
                    "      --run 4Bi5xBK6E2Nbhj --execute",
                    "  pipeline-secrets runs show 4Bi5xBK6E2Nbhj --config service.properties"})
    static final class Completions implements Callable<Integer> {

        @Mixin
        ServiceConfigOption configuration;

        @Option(names = "--run", required = true, arity = "1..*", paramLabel = "RUN_ID",
                description = "A run to re-drive; repeat the option (or list several ids after it) for more.")
        List<String> runs;

        @Option(names = "--execute", description = "Send the completions (default: only print what would be sent).")
        boolean execute;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Set<String> runIds = new LinkedHashSet<>(runs);
            for (String runId : runIds) {
                RunIds.problem(runId).ifPresent(problem -> {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--run: " + problem);
                });
            }
            PrintWriter out = spec.commandLine().getOut();
            ServiceConfig config = configuration.load();
            String topic = config.topics().completed();
            RunStateChangelog.Snapshot snapshot = RunStateChangelog.of(config, ServiceConfigOption.READ_TIMEOUT)
                    .read(runIds::contains);
            List<Decision> decisions = new ArrayList<>();
            for (String runId : runIds) {
                decisions.add(CompletionReplay.decide(runId, Optional.ofNullable(snapshot.runs().get(runId))));
            }
            List<Decision.Send> sends = decisions.stream().filter(Decision.Send.class::isInstance)
                    .map(Decision.Send.class::cast).toList();
            if (!sends.isEmpty()) {
                requireSamePartitions(config, topic, snapshot);
            }
            Table table = new Table("RUN", "PHASE", "DECISION", "WHY");
            for (Decision decision : decisions) {
                if (decision instanceof Decision.Send send) {
                    table.row(send.runId(), send.state().phase(), execute ? "SEND" : "WOULD SEND", send.why());
                } else if (decision instanceof Decision.Refuse refuse) {
                    table.row(refuse.runId(), refuse.state().map(s -> s.phase().name()).orElse("(unknown)"),
                            "REFUSED", refuse.reason());
                }
            }
            table.print(out);
            out.println();
            if (sends.isEmpty()) {
                out.println("Nothing to send.");
            } else if (!execute) {
                sends.forEach(send -> out.println("Would send WorkflowCompleted{eventId=" + CompletionReplay.eventId(send.runId())
                            + ", status=UNKNOWN} to " + topic + "-" + send.partition()));
                out.println("Dry run: nothing sent. Add --execute to send.");
            } else {
                send(out, config, topic, sends);
            }
            out.flush();
            return sends.size() == decisions.size() ? 0 : 1;
        }

        /**
         * The changelog's partition p belongs to the task that reads partition p of both workflow topics; sending
         * to p reaches the run only while those counts agree.
         */
        private static void requireSamePartitions(ServiceConfig config, String topic, RunStateChangelog.Snapshot snapshot) {
            Map<String, ObservedTopic> observed;
            try (Admin admin = Admin.create(KafkaClientSettings.admin(KafkaClientSettings.of(config)))) {
                observed = TopicCheck.observe(admin, List.of(topic));
            }
            ObservedTopic completed = observed.get(topic);
            if (completed == null) {
                throw new CommandFailure("topic " + topic + " (topics.completed) does not exist");
            }
            if (completed.partitions() != snapshot.partitions()) {
                throw new CommandFailure(topic + " has " + completed.partitions() + " partitions but "
                        + snapshot.topic() + " has " + snapshot.partitions() + ": a run's completion could not be"
                            + " placed on the task holding the run; nothing sent. Restore the partition count first.");
            }
        }

        private static void send(PrintWriter out, ServiceConfig config, String topic, List<Decision.Send> sends) {
            Serializer<WorkflowCompleted> values = new SpecificAvroSerializer<>(
                    SchemaRegistries.open(config.schemaRegistryUrl(), config.schemaRegistrySettings()),
                    WorkflowCompleted.class, config.autoRegisterSchemas());
            try (KafkaProducer<String, WorkflowCompleted> producer = new KafkaProducer<>(producerSettings(config),
                    new StringSerializer(), values)) {
                Instant now = Instant.now();
                for (Decision.Send send : sends) {
                    WorkflowCompleted completion = CompletionReplay.completionOf(send, now);
                    Future<RecordMetadata> sending;
                    try {
                        sending = producer.send(new ProducerRecord<>(topic, send.partition(), send.runId(), completion));
                    } catch (SerializationException e) {
                        throw new CommandFailure("cannot serialise the completion of " + send.runId() + " for " + topic
                                + " (is its schema registered? `schemas register` does it): " + e.getMessage(), e);
                    }
                    RecordMetadata sent = await(sending, topic);
                    out.println("Sent " + completion.getEventId() + " to " + sent.topic() + "-" + sent.partition()
                            + "@" + sent.offset());
                }
            }
        }
    }

    @Command(
            name = "dead-letters",
            mixinStandardHelpOptions = true,
            description = {
                    "Summarise the dead-letter topic (topics.dlq) by source topic and error code and, with "
                            + "--execute, re-publish its records to where they came from: the original key, value and "
                            + "headers (without the dlq.* headers) to the source topic and partition named by "
                            + "dlq.source.topic and dlq.source.partition. Use it after fixing the cause, e.g. "
                            + "registering a missing schema (UNKNOWN_SCHEMA_ID) or upgrading the service.",
                    "",
                    "Safe by construction: only records of the workflow topics (topics.launched, "
                            + "topics.completed) go back, and the service's processing of them is idempotent: an event "
                            + "it already applied is skipped as a duplicate, a launch after its run's completion or "
                            + "older than lifecycle.stale-launch-age provisions nothing, and audit event ids derive "
                            + "from event ids, so a replayed event's audit trail has the ids it would have had. A "
                            + "record that is still invalid is dead-lettered again. Records of the compacted secrets "
                            + "topic are never re-published: an old record would replace a newer value of its key; the "
                            + "secret's owner publishes it again instead. The DLQ holds rejected secret records' "
                            + "values, so this command needs the DLQ's read ACL; it prints no key or value.",
                    "",
                    "Without --execute, prints the summary and what it would re-publish. Exit status: 0 done, "
                            + "1 error."},
            footer = {
                    "",
                    "Examples:",
                    "  # the summary: what is in the DLQ, and what would go back",
                    "  pipeline-secrets replay dead-letters --config service.properties",
                    "",
                    "  # after registering the missing schema: re-publish those records",
                    "  pipeline-secrets replay dead-letters --config service.properties \\",
                    "      --code UNKNOWN_SCHEMA_ID --execute",
                    "",
                    "  # ten records of two codes, oldest first",
                    "  pipeline-secrets replay dead-letters --config service.properties \\",
                    "      --code INCOMPATIBLE_SCHEMA,MISSING_FIELD --limit 10 --execute"})
    static final class DeadLetters implements Callable<Integer> {

        @Mixin
        ServiceConfigOption configuration;

        @Option(names = "--execute", description = "Re-publish the selected records (default: only print the summary).")
        boolean execute;

        @Option(names = "--code", paramLabel = "CODE", split = ",",
                description = "Only records rejected with this dlq.error.code (repeatable; default: every code).")
        Set<String> codes = new LinkedHashSet<>();

        @Option(names = "--limit", paramLabel = "N",
                description = "Re-publish at most N records, the oldest first (default: all selected).")
        Integer limit;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (limit != null && limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            ServiceConfig config = configuration.load();
            String dlq = config.topics().deadLetters();
            List<DeadLetterReplay.Entry> entries = new ArrayList<>();
            BoundedTopicReader.read(KafkaClientSettings.of(config), dlq, ServiceConfigOption.READ_TIMEOUT,
                    record -> entries.add(DeadLetterReplay.classify(record, config.topics())));
            List<DeadLetterReplay.Entry> selected = entries.stream()
                    .filter(e -> e.replayable() && DeadLetterReplay.selected(e, codes))
                    .limit(limit == null ? Long.MAX_VALUE : limit).toList();

            out.println(entries.size() + " record(s) in " + dlq + (codes.isEmpty() ? "" : "; selected codes " + codes)
                    + (execute ? "" : " -- dry run, nothing is re-published"));
            out.println();
            summary(entries, selected).print(out);
            out.println();
            if (selected.isEmpty()) {
                out.println("Nothing to re-publish.");
            } else if (!execute) {
                out.println("Would re-publish " + selected.size() + " record(s) to their source topic and partition."
                            + " Add --execute to do it.");
            } else {
                republish(out, config, selected);
            }
            out.flush();
            return 0;
        }

        private Table summary(List<DeadLetterReplay.Entry> entries, List<DeadLetterReplay.Entry> selected) {
            Map<String, List<DeadLetterReplay.Entry>> groups = new TreeMap<>();
            for (DeadLetterReplay.Entry entry : entries) {
                String source = entry.sourceTopic() == null ? "(unknown)" : entry.sourceTopic();
                groups.computeIfAbsent(source + "\u0000" + entry.errorCode(), k -> new ArrayList<>()).add(entry);
            }
            Table table = new Table("SOURCE TOPIC", "ERROR CODE", "RECORDS", "DLQ OFFSETS", "TO RE-PUBLISH", "NOTE");
            groups.forEach((group, members) -> {
                DeadLetterReplay.Entry first = members.get(0);
                long chosen = members.stream().filter(selected::contains).count();
                String note = first.refusal().orElse(DeadLetterReplay.selected(first, codes) ? "" : "code not selected");
                table.row(group.substring(0, group.indexOf('\u0000')), first.errorCode(), members.size(),
                        offsets(members), chosen, note);
            });
            return table;
        }

        private static String offsets(List<DeadLetterReplay.Entry> members) {
            long min = members.stream().mapToLong(DeadLetterReplay.Entry::dlqOffset).min().orElse(0);
            long max = members.stream().mapToLong(DeadLetterReplay.Entry::dlqOffset).max().orElse(0);
            return min == max ? Long.toString(min) : min + "-" + max;
        }

        private static void republish(PrintWriter out, ServiceConfig config, List<DeadLetterReplay.Entry> selected) {
            int sent = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(config),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                Map<String, Integer> partitionCounts = new TreeMap<>();
                for (DeadLetterReplay.Entry entry : selected) {
                    int partitions = partitionCounts.computeIfAbsent(entry.sourceTopic(),
                            topic -> producer.partitionsFor(topic).size());
                    String from = "dlq " + entry.record().partition() + "@" + entry.dlqOffset() + " (" + entry.errorCode() + ")";
                    if (entry.sourcePartition() >= partitions) {
                        out.println("Skipped " + from + ": " + entry.sourceTopic() + " has no partition "
                                + entry.sourcePartition() + " any more");
                        continue;
                    }
                    // The timestamp is left to the producer (now): an old one may be refused by the broker.
                    RecordMetadata metadata = await(producer.send(new ProducerRecord<>(entry.sourceTopic(),
                            entry.sourcePartition(), null, entry.record().key(), entry.record().value(),
                            DeadLetterReplay.originalHeaders(entry.record().headers()))), entry.sourceTopic());
                    sent++;
                    out.println("Re-published " + from + " to " + metadata.topic() + "-" + metadata.partition() + "@"
                            + metadata.offset());
                }
            }
            out.println("Re-published " + sent + " record(s).");
        }
    }

    private static Map<String, Object> producerSettings(ServiceConfig config) {
        Map<String, Object> settings = new HashMap<>(KafkaClientSettings.producer(KafkaClientSettings.of(config)));
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "pipeline-secrets-replay");
        return settings;
    }

    private static RecordMetadata await(Future<RecordMetadata> sending, String topic) {
        try {
            return sending.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while sending to " + topic, e);
        } catch (ExecutionException e) {
            throw new CommandFailure("cannot send to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new CommandFailure("sending to " + topic + " took longer than " + SEND_TIMEOUT, e);
        }
    }
}
