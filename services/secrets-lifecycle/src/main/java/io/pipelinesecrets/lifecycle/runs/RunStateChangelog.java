package io.pipelinesecrets.lifecycle.runs;

import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.service.BoundedTopicReader;
import io.pipelinesecrets.lifecycle.service.KafkaClientSettings;
import io.pipelinesecrets.lifecycle.service.TopicReadException;
import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import io.pipelinesecrets.lifecycle.topology.RunStateSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The state of every run the service holds, read from outside the service: the changelog topic of the
 * {@value LifecycleTopology#RUN_STATE_STORE} store, {@code <application.id>-run-state-changelog} (Kafka Streams
 * names a store's changelog {@code <application.id>-<store>-changelog}). Nothing here needs the service to be
 * running, nor its state directory.
 *
 * <p>A read covers every partition from the beginning to the end offsets captured when it began (committed
 * records only) and keeps the latest record per run id; a tombstone (the service forgetting a released run)
 * removes the run. The result is the state as of that moment, at most as fresh as the service's last commit.
 * Run states hold names and references, never a secret value.
 *
 * <p>Fails closed: when the latest record of a run cannot be read (say, written by an incompatible version), the
 * read fails naming the run, rather than presenting a picture without it. A caller deciding that a secret is
 * orphaned must never do so for lack of a run it could not read.
 */
public final class RunStateChangelog {

    private final String topic;
    private final Map<String, Object> clientSettings;
    private final Duration timeout;
    private final Deserializer<RunState> states = new RunStateSerde().deserializer();

    /** The latest state of one run and where it was read; the partition is that of the task holding the run. */
    public record StoredRunState(RunState state, int partition, long offset) {
        public StoredRunState {
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * What one read found.
     *
     * @param partitions the changelog's partition count, equal to that of the workflow topics
     * @param runs       by run id, in run id order
     */
    public record Snapshot(String topic, int partitions, Map<String, StoredRunState> runs) {
        public Snapshot {
            runs = Collections.unmodifiableMap(new TreeMap<>(runs));
        }
    }

    /**
     * @param applicationId  the service's {@code application.id}
     * @param clientSettings {@code bootstrap.servers} and any Kafka client settings the cluster needs (SASL, TLS)
     * @param timeout        bound on one whole read
     */
    public RunStateChangelog(String applicationId, Map<String, Object> clientSettings, Duration timeout) {
        this.topic = topicFor(Objects.requireNonNull(applicationId, "applicationId"));
        this.clientSettings = Map.copyOf(clientSettings);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** The changelog of the service this configuration describes, reached with its Kafka settings. */
    public static RunStateChangelog of(ServiceConfig config, Duration timeout) {
        return new RunStateChangelog(config.applicationId(), KafkaClientSettings.of(config), timeout);
    }

    /** {@code <application.id>-run-state-changelog}. */
    public static String topicFor(String applicationId) {
        return applicationId + "-" + LifecycleTopology.RUN_STATE_STORE + "-changelog";
    }

    public String topic() {
        return topic;
    }

    /**
     * The latest state of every run whose id passes the filter (records of other runs are not even decoded).
     *
     * @throws TopicReadException if the changelog does not exist (the service never ran with this application id),
     *                            Kafka does not answer within the timeout, or a matching run's latest record is unreadable
     */
    public Snapshot read(Predicate<String> runIds) {
        Map<String, StoredRunState> runs = new LinkedHashMap<>();
        Map<String, String> unreadable = new TreeMap<>();
        int partitions = BoundedTopicReader.read(clientSettings, topic, timeout, record -> {
            if (record.key() == null) {
                return;
            }
            String runId = new String(record.key(), StandardCharsets.UTF_8);
            if (!runIds.test(runId)) {
                return;
            }
            unreadable.remove(runId);
            if (record.value() == null) {
                runs.remove(runId);
                return;
            }
            try {
                runs.put(runId, new StoredRunState(states.deserialize(topic, record.value()), record.partition(),
                        record.offset()));
            } catch (SerializationException e) {
                runs.remove(runId);
                unreadable.put(runId, "partition " + record.partition() + " offset " + record.offset() + ": "
                        + e.getMessage());
            }
        });
        if (!unreadable.isEmpty()) {
            throw new TopicReadException("the latest state of " + unreadable.size() + " run(s) in " + topic
                    + " cannot be read: " + unreadable);
        }
        return new Snapshot(topic, partitions, runs);
    }

    /** The latest state of every run the changelog holds, by run id. */
    public Map<String, RunState> readAll() {
        Map<String, RunState> states = new LinkedHashMap<>();
        read(runId -> true).runs().forEach((runId, stored) -> states.put(runId, stored.state()));
        return states;
    }

    /** The latest state of one run; empty when the changelog has none (never known, or released and forgotten). */
    public Optional<RunState> find(String runId) {
        return Optional.ofNullable(read(runId::equals).runs().get(runId)).map(StoredRunState::state);
    }
}
