package io.pipelinesecrets.lifecycle.runs;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import io.pipelinesecrets.lifecycle.service.TopicReadException;
import io.pipelinesecrets.lifecycle.topology.RunStateSerde;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The changelog reader on a hand-written changelog: latest record wins, tombstones remove, aborted writes never happened. */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RunStateChangelogIntegrationTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TestKafka kafka;
    private String applicationId;
    private RunStateChangelog changelog;

    @BeforeEach
    void createChangelog(TestKafka kafka) {
        this.kafka = kafka;
        applicationId = kafka.uniqueName("app");
        kafka.createTopicNamed(RunStateChangelog.topicFor(applicationId), 3, Map.of("cleanup.policy", "compact"));
        changelog = new RunStateChangelog(applicationId, Map.of("bootstrap.servers", kafka.bootstrapServers()), TIMEOUT);
    }

    private static RunState state(String runId, Phase phase) {
        RunTarget target = new RunTarget(runId, "ws-1", "user-1", "ce-1", "slurm", null, null, "/s");
        return new RunState(runId, phase, new RunOrigin(target, "filesystem", "launched-" + runId, T0, null),
                RunEnding.NOT_YET, List.of(), new OperationProgress(1, false, null, 0, T0), null, null, T0);
    }

    private static byte[] json(RunState state) {
        return new RunStateSerde().serializer().serialize("t", state);
    }

    /** Writes records the way Kafka Streams does under exactly-once: in transactions; {@code commit=false} aborts. */
    private void write(boolean commit, int partition, String runId, byte[] value) {
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.uniqueName("tx"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(RunStateChangelog.topicFor(applicationId), partition,
                    runId.getBytes(StandardCharsets.UTF_8), value));
            producer.flush();
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    @Test
    void shouldNameTheChangelogAsKafkaStreamsDoes() {
        assertThat(RunStateChangelog.topicFor("secrets-lifecycle")).isEqualTo("secrets-lifecycle-run-state-changelog");
        assertThat(changelog.topic()).isEqualTo(applicationId + "-run-state-changelog");
    }

    @Test
    void shouldKeepTheLatestCommittedStateOfEveryRunOnEveryPartition() {
        write(true, 0, "run-a", json(state("run-a", Phase.PROVISIONING)));
        write(true, 0, "run-a", json(state("run-a", Phase.ACTIVE)));
        write(false, 0, "run-a", json(state("run-a", Phase.RELEASED)));
        write(true, 1, "run-b", json(state("run-b", Phase.FAILED)));
        write(true, 2, "run-c", json(state("run-c", Phase.RELEASED)));
        write(true, 2, "run-c", null);

        RunStateChangelog.Snapshot snapshot = changelog.read(runId -> true);

        assertThat(snapshot.partitions()).isEqualTo(3);
        assertThat(snapshot.runs()).containsOnlyKeys("run-a", "run-b");
        assertThat(snapshot.runs().get("run-a").state().phase()).as("the aborted RELEASED never happened").isEqualTo(Phase.ACTIVE);
        assertThat(snapshot.runs().get("run-b").partition()).isEqualTo(1);
        assertThat(changelog.readAll()).containsOnlyKeys("run-a", "run-b");
        assertThat(changelog.find("run-b")).get().extracting(RunState::phase).isEqualTo(Phase.FAILED);
        assertThat(changelog.find("run-c")).as("forgotten by a tombstone").isEmpty();
        assertThat(changelog.find("run-z")).isEmpty();
    }

    @Test
    void shouldFailClosedWhenARunsLatestStateIsUnreadable() {
        write(true, 0, "run-ok", json(state("run-ok", Phase.ACTIVE)));
        write(true, 1, "run-bad", json(state("run-bad", Phase.ACTIVE)));
        write(true, 1, "run-bad", "{not json".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(changelog::readAll).isInstanceOf(TopicReadException.class)
                .hasMessageContaining("run-bad=partition 1 offset 2"); // offset 1 is the first commit's marker
        assertThat(changelog.find("run-ok")).as("a read that does not need the unreadable run").isPresent();
    }

    @Test
    void shouldRefuseARunStoredInANewerFormatNamingTheFormatRatherThanReadItWrong() {
        String newer = new String(json(state("run-newer", Phase.ACTIVE)), StandardCharsets.UTF_8)
                .replace("\"formatVersion\":" + RunStateSerde.FORMAT_VERSION,
                        "\"formatVersion\":" + (RunStateSerde.FORMAT_VERSION + 1));
        write(true, 2, "run-newer", newer.getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> changelog.find("run-newer")).isInstanceOf(TopicReadException.class)
                .hasMessageContaining("run-newer=partition 2")
                .hasMessageContaining("run-state format " + (RunStateSerde.FORMAT_VERSION + 1));
    }

    @Test
    void shouldSayWhenTheChangelogDoesNotExist() {
        RunStateChangelog missing = new RunStateChangelog(kafka.uniqueName("never-ran"),
                Map.of("bootstrap.servers", kafka.bootstrapServers()), TIMEOUT);

        assertThatThrownBy(missing::readAll).isInstanceOf(TopicReadException.class).hasMessageContaining("does not exist");
    }
}
