package io.pipelinesecrets.lifecycle.it.ceiling;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

/**
 * The ceiling the service is measured against: a minimal exactly-once (v2) Kafka Streams application with the
 * service's Kafka I/O per run and nothing else. Each input (a launch or a completion, as the same bytes the service
 * reads) costs one get and one put on a changelogged store of run-state-sized values, then the audit fan-out: one
 * record per secret and a summary record whose {@code phase} header says the run is provisioned or released. No
 * decoding, no backend, no timers: what Kafka alone allows on this machine.
 */
public final class CeilingApp implements AutoCloseable {

    public static final String PHASE_HEADER = "phase";
    public static final String PROVISIONED = "provisioned";
    public static final String RELEASED = "released";
    private static final String STORE = "runs";

    private final KafkaStreams streams;

    /**
     * @param secretsPerRun audit records per run before its summary
     * @param auditBytes    the size of each audit record, as the service's Avro audit events are
     * @param stateBytes    the size of a stored run, as the service's run state is
     */
    public CeilingApp(String bootstrapServers, String applicationId, Path stateDirectory, String launched,
                      String completed, String audit, int secretsPerRun, int auditBytes, int stateBytes,
                      long commitIntervalMs) {
        Topology topology = new Topology();
        topology.addSource("launched", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), launched);
        topology.addSource("completed", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), completed);
        topology.addProcessor("lifecycle", () -> new Lifecycle(secretsPerRun, auditBytes, stateBytes), "launched", "completed");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()), "lifecycle");
        topology.addSink("audit", audit, Serdes.String().serializer(), Serdes.ByteArray().serializer(), "lifecycle");
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        this.streams = new KafkaStreams(topology, props);
    }

    public CeilingApp start() {
        streams.start();
        return this;
    }

    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public void close() {
        streams.close();
        streams.cleanUp();
    }

    private static final class Lifecycle implements Processor<String, byte[], String, byte[]> {

        private final int secretsPerRun;
        private final byte[] auditRecord;
        private final int stateBytes;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> runs;

        Lifecycle(int secretsPerRun, int auditBytes, int stateBytes) {
            this.secretsPerRun = secretsPerRun;
            this.auditRecord = new byte[auditBytes];
            Arrays.fill(auditRecord, (byte) 'a');
            this.stateBytes = stateBytes;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.runs = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> input) {
            byte[] before = runs.get(input.key());
            boolean launch = before == null;
            byte[] state = new byte[stateBytes];
            System.arraycopy(input.value(), 0, state, 0, Math.min(input.value().length, stateBytes));
            runs.put(input.key(), state);
            for (int i = 0; i < secretsPerRun; i++) {
                context.forward(new Record<>(input.key(), auditRecord, input.timestamp()));
            }
            Record<String, byte[]> summary = new Record<>(input.key(), auditRecord, input.timestamp());
            summary.headers().add(PHASE_HEADER, (launch ? PROVISIONED : RELEASED).getBytes(StandardCharsets.UTF_8));
            context.forward(summary);
        }
    }
}
