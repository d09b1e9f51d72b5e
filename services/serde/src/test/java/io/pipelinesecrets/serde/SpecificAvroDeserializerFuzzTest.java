package io.pipelinesecrets.serde;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.events.WorkflowStatus;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever bytes follow a valid Confluent header, the deserializers of the three event types the service consumes
 * return a record or raise {@link UndecodableRecordException} (the record goes to the DLQ); any other exception and
 * any {@link Error}, {@link OutOfMemoryError} included, is a finding.
 *
 * <p>The input is byte 0, which picks the event type, then the Avro body; the test frames the body with magic byte 0
 * and the id the type's schema has in the registry. The fuzzing JVM has a 512 MiB heap, so a length prefix that
 * makes Avro allocate gigabytes fails there; a regression run may have a far larger heap, so the test also bounds
 * what one decode may allocate, and the same input fails in both modes.
 */
class SpecificAvroDeserializerFuzzTest {

    /** Half the fuzzing heap: no record of at most a few KiB needs a fraction of it. */
    private static final long MAX_BYTES_ALLOCATED_PER_DECODE = 256L * 1024 * 1024;

    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();
    private static final List<EventType<?>> TYPES = List.of(
            EventType.registered(WorkflowLaunched.class, "platform.workflow.launched"),
            EventType.registered(WorkflowCompleted.class, "platform.workflow.completed"),
            EventType.registered(SecretRecord.class, "platform.secrets"));

    /** Real records of every type, written by the service's own serializer, so that fuzzing starts deep. */
    static Stream<byte[]> validRecords() {
        return Stream.of(
                seed(0, Events.launched("run-1").build()),
                seed(0, Events.launched("4Bi5xBK6E2Nbhj")
                        .setComputeEnv(Events.awsBatch("eu-west-1"))
                        .setSecretSelection(Events.selection(List.of("DB_PASSWORD"), List.of("API_TOKEN")))
                        .setSecretsWatermark(Events.watermark(2, 41L))
                        .build()),
                seed(1, Events.completed("run-1").build()),
                seed(1, Events.completed("run-2").setStatus(WorkflowStatus.FAILED).build()),
                seed(2, Events.workspaceSecret("ws-1", "DB_PASSWORD", "s3cr3t").build()),
                seed(2, Events.userSecret("user-1", "API_TOKEN", "t0k3n").setVersion(3L).build()));
    }

    @MethodSource("validRecords")
    @FuzzTest
    void shouldDecodeEveryFrameOrRejectItAsUndecodable(byte[] input) {
        EventType<?> type = TYPES.get(input.length == 0 ? 0 : Byte.toUnsignedInt(input[0]) % TYPES.size());
        byte[] frame = type.frame(input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length));
        long allocatedBefore = allocatedByThisThread();

        try {
            assertThat(type.deserializer().deserialize(type.topic(), frame)).isInstanceOf(type.eventClass());
        } catch (UndecodableRecordException rejected) {
            // the documented outcome: the record goes to the dead-letter topic
        }

        assertThat(allocatedByThisThread() - allocatedBefore)
                .as("bytes allocated to decode a frame of %d bytes", frame.length)
                .isLessThan(MAX_BYTES_ALLOCATED_PER_DECODE);
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The fuzz input for a record: the index of its type, then the Avro body the service's serializer wrote. */
    private static byte[] seed(int type, SpecificRecord record) {
        byte[] framed = TYPES.get(type).serialize(record);
        byte[] seed = new byte[1 + framed.length - ConfluentWireFormat.HEADER_SIZE];
        seed[0] = (byte) type;
        System.arraycopy(framed, ConfluentWireFormat.HEADER_SIZE, seed, 1, seed.length - 1);
        return seed;
    }

    /** One consumed event type: its topic, the id its schema is registered under, its serializer and deserializer. */
    private record EventType<T extends SpecificRecord>(Class<T> eventClass, String topic, int schemaId,
                                                       SpecificAvroSerializer<T> serializer,
                                                       SpecificAvroDeserializer<T> deserializer) {

        static <T extends SpecificRecord> EventType<T> registered(Class<T> eventClass, String topic) {
            Schema registryForm = EventSchemas.registryForm(SpecificData.getForClass(eventClass).getSchema(eventClass));
            int schemaId = REGISTRY.register(ConfluentWireFormat.subject(topic, false), registryForm).id();
            return new EventType<>(eventClass, topic, schemaId, new SpecificAvroSerializer<>(REGISTRY, eventClass, false),
                    new SpecificAvroDeserializer<>(REGISTRY, eventClass));
        }

        byte[] frame(byte[] avroBody) {
            return ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE + avroBody.length)
                    .put(ConfluentWireFormat.MAGIC_BYTE).putInt(schemaId).put(avroBody).array();
        }

        byte[] serialize(SpecificRecord record) {
            return serializer.serialize(topic, eventClass.cast(record));
        }
    }
}
