package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.service.ObservedTopic;
import io.pipelinesecrets.lifecycle.service.TopicCheck;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code topics apply} against the test cluster, on topics named for each test through the topics.* keys. */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicsApplyIntegrationTest {

    private static final long DAY = 86_400_000L;

    private TestKafka kafka;
    private ServiceTopics topics;
    private short replication;
    private Path config;
    private StringWriter out;

    @BeforeEach
    void configure(TestKafka kafka, @TempDir Path dir) throws IOException {
        this.kafka = kafka;
        this.topics = ServiceTopics.DEFAULTS.prefixed(kafka.uniqueName("t") + ".");
        this.replication = (short) Math.min(3, kafka.cluster().brokerCount());
        this.config = Files.writeString(dir.resolve("service.properties"), String.join("\n",
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "schema.registry.url=mock://topics-apply",
                "topics.launched=" + topics.launched(),
                "topics.completed=" + topics.completed(),
                "topics.secrets=" + topics.secrets(),
                "topics.audit=" + topics.audit(),
                "topics.dlq=" + topics.deadLetters(),
                "topics.partitions=2",
                "topics.replication-factor=" + replication));
    }

    private int apply(String... extra) {
        out = new StringWriter();
        CommandLine cli = PipelineSecretsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        String[] args = new String[4 + extra.length];
        args[0] = "topics";
        args[1] = "apply";
        args[2] = "--config";
        args[3] = config.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        return cli.execute(args);
    }

    private Map<String, ObservedTopic> observed() {
        try (Admin admin = kafka.admin()) {
            return TopicCheck.observe(admin, topics.all());
        }
    }

    @Test
    void shouldCreateEveryTopicOnAnEmptyClusterAndFindNoDriftTheSecondTime() {
        assertThat(apply()).as(out.toString()).isZero();

        Map<String, ObservedTopic> created = observed();
        assertThat(created).containsOnlyKeys(topics.all());
        assertThat(created.get(topics.launched()).partitions()).isEqualTo(2);
        assertThat(created.get(topics.deadLetters()).partitions()).isEqualTo(1);
        assertThat(created.get(topics.launched()).minReplicas()).isEqualTo(replication);
        assertThat(created.get(topics.launched()).configs())
                .containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", Long.toString(7 * DAY));
        assertThat(created.get(topics.secrets()).configs()).containsEntry("cleanup.policy", "compact");
        assertThat(created.get(topics.audit()).configs()).containsEntry("retention.ms", Long.toString(30 * DAY));
        assertThat(out.toString()).contains("Created 5, as expected 0, drifted 0.");

        assertThat(apply()).as(out.toString()).isZero();
        assertThat(out.toString()).contains("Created 0, as expected 5, drifted 0.").doesNotContain("DRIFT");
    }

    @Test
    void shouldReportDriftedTopicsWithoutChangingThemAndExitOne() {
        kafka.createTopicNamed(topics.audit(), 2, Map.of("retention.ms", Long.toString(DAY)));
        kafka.createTopicNamed(topics.secrets(), 2, Map.of("cleanup.policy", "delete"));

        assertThat(apply()).as(out.toString()).isEqualTo(1);

        String report = out.toString();
        assertThat(report).containsPattern(topics.audit() + "\\s+retention.ms\\s+2592000000 \\(30d\\)\\s+86400000 \\(1d\\)")
                .containsPattern(topics.secrets() + "\\s+cleanup.policy\\s+compact\\s+delete")
                .contains("--entity-name " + topics.audit() + " --add-config retention.ms=2592000000")
                .contains("Created 3, as expected 0, drifted 2.");
        Map<String, ObservedTopic> after = observed();
        assertThat(after).containsOnlyKeys(topics.all());
        assertThat(after.get(topics.audit()).configs()).containsEntry("retention.ms", Long.toString(DAY));
        assertThat(after.get(topics.secrets()).configs()).containsEntry("cleanup.policy", "delete");
    }

    @Test
    void shouldCreateNothingOnADryRunAndSayWhatItWouldCreate() {
        assertThat(apply("--dry-run")).as(out.toString()).isEqualTo(1);

        assertThat(observed()).isEmpty();
        assertThat(out.toString()).contains("dry run").contains("MISSING: would be created").contains("Would create 5");
    }

    @Test
    void shouldCreateAMissingWorkflowTopicWithItsTwinsPartitionCount() {
        kafka.createTopicNamed(topics.launched(), 4, Map.of("retention.ms", Long.toString(7 * DAY)));

        assertThat(apply()).as(out.toString()).isEqualTo(1);

        assertThat(observed().get(topics.completed()).partitions()).isEqualTo(4);
        assertThat(out.toString()).containsPattern(topics.launched() + "\\s+partitions\\s+2\\s+4")
                .contains("Note: " + topics.completed() + " gets 4 partitions");
    }
}
