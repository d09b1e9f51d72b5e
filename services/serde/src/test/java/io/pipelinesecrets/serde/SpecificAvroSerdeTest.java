package io.pipelinesecrets.serde;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretSelection;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.serde.UndecodableRecordException.Reason;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.events.WireFrames;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SpecificAvroSerdeTest {

    private static final String TOPIC = "platform.workflow.launched";

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldRoundTripEveryEventType() {
        for (SpecificRecord event : SampleEvents.everyType()) {
            SpecificAvroSerde<SpecificRecord> serde = serdeFor(event);
            byte[] bytes = serde.serializer().serialize("topic-" + event.getSchema().getName(), event);

            assertThat(serde.deserializer().deserialize("topic-" + event.getSchema().getName(), bytes)).isEqualTo(event);
        }
    }

    @Test
    void shouldFrameWithMagicByteAndBigEndianSchemaId() {
        for (int i = 0; i < 258; i++) {
            registry.register("filler-" + i, SchemaBuilder.record("Filler" + i).fields().requiredInt("n").endRecord());
        }
        byte[] bytes = launchedSerde(true).serializer().serialize(TOPIC, Events.launched("run-1").build());

        int id = registry.lookup(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
        assertThat(id).isEqualTo(259);
        assertThat(Arrays.copyOf(bytes, 5)).containsExactly(0, 0, 0, 1, 3);
    }

    @Test
    void shouldRegisterTheAvscFormUnderTheTopicValueSubject() {
        launchedSerde(true).serializer().serialize(TOPIC, Events.launched("run-1").build());

        assertThat(registry.subjects()).containsExactly(TOPIC + "-value");
        assertThat(registry.lookup(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).schema()
                .toString()).doesNotContain("avro.java.string");
    }

    @Test
    void shouldUseTheRegisteredSchemaWhenAutoRegistrationIsOff() {
        registry.register(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema()));

        byte[] bytes = launchedSerde(false).serializer().serialize(TOPIC, Events.launched("run-1").build());

        assertThat(launchedSerde(false).deserializer().deserialize(TOPIC, bytes).getRunId()).isEqualTo("run-1");
    }

    @Test
    void shouldSayHowToFixAMissingSchemaWhenAutoRegistrationIsOff() {
        assertThatThrownBy(() -> launchedSerde(false).serializer().serialize(TOPIC, Events.launched("run-1").build()))
                .isInstanceOf(SchemaResolutionException.class)
                .hasMessageContaining("platform.workflow.launched-value")
                .hasMessageContaining("schemas register");
    }

    @Test
    void shouldPassTombstonesThroughAsNull() {
        SpecificAvroSerde<SecretRecord> serde = new SpecificAvroSerde<>(registry, SecretRecord.class, true);

        assertThat(serde.serializer().serialize("platform.secrets", null)).isNull();
        assertThat(serde.deserializer().deserialize("platform.secrets", null)).isNull();
    }

    @Test
    void shouldRejectTooFewBytes() {
        assertThat(undecodable(new byte[] {0, 0, 1})).isEqualTo(Reason.TOO_SHORT);
    }

    @Test
    void shouldRejectAnUnknownMagicByte() {
        UndecodableRecordException failure = catchThrowableOfType(UndecodableRecordException.class,
                () -> launchedSerde(true).deserializer().deserialize(TOPIC, new byte[] {1, 0, 0, 0, 1, 2, 3}));

        assertThat(failure.reason()).isEqualTo(Reason.UNKNOWN_MAGIC_BYTE);
        assertThat(failure).hasMessageContaining(TOPIC).hasMessageContaining("0x01");
    }

    @Test
    void shouldRejectAnUnknownSchemaId() {
        UndecodableRecordException failure = catchThrowableOfType(UndecodableRecordException.class,
                () -> launchedSerde(true).deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 42, 2}));

        assertThat(failure.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
        assertThat(failure.schemaId()).contains(42);
        assertThat(failure).hasMessageContaining("schema id 42");
    }

    @Test
    void shouldRejectBytesThatAreNotAvro() {
        byte[] valid = launchedSerde(true).serializer().serialize(TOPIC, Events.launched("run-1").build());
        byte[] garbage = Arrays.copyOf(valid, 9);
        Arrays.fill(garbage, 5, 9, (byte) 0xff);

        assertThat(undecodable(garbage)).isEqualTo(Reason.MALFORMED_AVRO);
    }

    @Test
    void shouldRejectARecordTruncatedInsideAString() {
        byte[] valid = launchedSerde(true).serializer().serialize(TOPIC, Events.launched("run-1").build());

        // The last string's length prefix now claims bytes the record no longer holds.
        assertThat(undecodable(Arrays.copyOf(valid, valid.length - 3))).isEqualTo(Reason.LENGTH_EXCEEDS_RECORD);
    }

    @Test
    void shouldRejectARecordTruncatedInsideANumber() {
        int id = registry.register(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
        byte[] cut = WireFrames.claiming(id, 2_000_000_000L);

        assertThat(undecodable(Arrays.copyOf(cut, cut.length - 1))).isEqualTo(Reason.MALFORMED_AVRO);
    }

    @Test
    void shouldRefuseAStringLengthLongerThanTheRecordBeforeAllocatingIt() {
        int id = registry.register(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
        byte[] tenBytes = WireFrames.claiming(id, 2_000_000_000L);

        assertThat(tenBytes).hasSize(10);
        assertThat(undecodable(tenBytes)).isEqualTo(Reason.LENGTH_EXCEEDS_RECORD);
    }

    @Test
    void shouldRefuseAnArrayCountLongerThanTheRecordBeforeAllocatingIt() {
        WorkflowLaunched withEmptySelection = Events.launched("run-1")
                .setSecretSelection(new SecretSelection(List.of(), List.of())).build();
        byte[] valid = launchedSerde(true).serializer().serialize(TOPIC, withEmptySelection);
        // The record ends with the selection's union branch (02), its two empty arrays (00 00) and a null watermark (00).
        assertThat(Arrays.copyOfRange(valid, valid.length - 4, valid.length)).containsExactly(2, 0, 0, 0);
        byte[] count = WireFrames.varint(2_000_000_000L);
        byte[] hostile = Arrays.copyOf(valid, valid.length - 3 + count.length + 2);
        System.arraycopy(count, 0, hostile, valid.length - 3, count.length);

        assertThat(undecodable(hostile)).isEqualTo(Reason.LENGTH_EXCEEDS_RECORD);
    }

    @Test
    void shouldRefuseANegativeLength() {
        int id = registry.register(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();

        assertThat(undecodable(WireFrames.claiming(id, -5))).isEqualTo(Reason.MALFORMED_AVRO);
    }

    @Test
    void shouldRefuseAVarintLongerThanAvroAllows() {
        int id = registry.register(TOPIC + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
        byte[] elevenByteLength = WireFrames.claiming(id, 0, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80});

        assertThat(undecodable(elevenByteLength)).isEqualTo(Reason.MALFORMED_AVRO);
    }

    @Test
    void shouldRejectTrailingBytes() {
        byte[] valid = launchedSerde(true).serializer().serialize(TOPIC, Events.launched("run-1").build());

        assertThat(undecodable(Arrays.copyOf(valid, valid.length + 2))).isEqualTo(Reason.TRAILING_BYTES);
    }

    @Test
    void shouldRejectARecordOfAnotherType() {
        byte[] completion = new SpecificAvroSerde<>(registry, WorkflowCompleted.class, true).serializer()
                .serialize("platform.workflow.completed", Events.completed("run-1").build());

        assertThat(undecodable(completion)).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void shouldRejectARecordMissingARequiredField() {
        Schema withoutRunId = SchemaBuilder.record("WorkflowLaunched").namespace("io.pipelinesecrets.events").fields()
                .requiredString("eventId").endRecord();
        GenericRecord record = new GenericData.Record(withoutRunId);
        record.put("eventId", "e-1");

        assertThat(undecodable(WireFrames.framed(registry.register("other-value", withoutRunId).id(), withoutRunId, record)))
                .isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void shouldReadARecordWrittenWithAnOlderSchemaThatLackedAnOptionalField() {
        Schema current = EventSchemas.registryForm(WorkflowCompleted.getClassSchema());
        Schema older = SchemaBuilder.record("WorkflowCompleted").namespace("io.pipelinesecrets.events").fields()
                .requiredString("eventId").requiredString("runId").requiredString("workspaceId")
                .name("status").type(current.getField("status").schema()).noDefault()
                .name("completedAt").type(current.getField("completedAt").schema()).noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("eventId", "e-1");
        record.put("runId", "run-9");
        record.put("workspaceId", "ws-1");
        record.put("status", new GenericData.EnumSymbol(older.getField("status").schema(), "FAILED"));
        record.put("completedAt", 1_700_000_000_000L);
        byte[] bytes = WireFrames.framed(registry.register("old-value", older).id(), older, record);

        WorkflowCompleted read = new SpecificAvroDeserializer<>(registry, WorkflowCompleted.class)
                .deserialize("platform.workflow.completed", bytes);

        assertThat(read.getRunId()).isEqualTo("run-9");
        assertThat(read.getCompletedAt().toEpochMilli()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void shouldNameThePositionOnceKnown() {
        UndecodableRecordException failure = catchThrowableOfType(UndecodableRecordException.class,
                () -> launchedSerde(true).deserializer().deserialize(TOPIC, new byte[] {7}));

        assertThat(failure.at(2, 17)).hasMessageContaining(TOPIC + " partition 2 offset 17");
        assertThat(failure.at(2, 17).reason()).isEqualTo(Reason.TOO_SHORT);
    }

    @Test
    void shouldKeepTheValueOutOfEveryDecodingError() {
        SpecificAvroSerde<SecretRecord> serde = new SpecificAvroSerde<>(registry, SecretRecord.class, true);
        byte[] valid = serde.serializer().serialize("platform.secrets",
                Events.userSecret("user-1", "API_TOKEN", SampleEvents.CANARY).build());

        for (int cut = 1; cut < valid.length; cut++) {
            byte[] damaged = Arrays.copyOf(valid, cut);
            Throwable failure = catchThrowableOfType(UndecodableRecordException.class,
                    () -> serde.deserializer().deserialize("platform.secrets", damaged));
            if (failure != null) {
                assertThat(stackTraceOf(failure)).doesNotContain(SampleEvents.CANARY);
            }
        }
    }

    @Test
    void shouldRejectAnEventWithANullRequiredFieldWithoutItsContent() {
        SecretRecord invalid = Events.userSecret("user-1", "API_TOKEN", SampleEvents.CANARY).build();
        invalid.put("ownerId", null);

        assertThatThrownBy(() -> new SpecificAvroSerde<>(registry, SecretRecord.class, true).serializer()
                .serialize("platform.secrets", invalid))
                .isInstanceOf(SpecificAvroSerializer.InvalidRecordException.class)
                .hasMessageContaining("required field is null")
                .satisfies(e -> assertThat(stackTraceOf(e)).doesNotContain(SampleEvents.CANARY));
    }

    private Reason undecodable(byte[] bytes) {
        UndecodableRecordException failure = catchThrowableOfType(UndecodableRecordException.class,
                () -> launchedSerde(true).deserializer().deserialize(TOPIC, bytes));
        assertThat(failure).as("expected an UndecodableRecordException").isNotNull();
        assertThat(failure).hasMessageContaining(TOPIC);
        return failure.reason();
    }

    private SpecificAvroSerde<WorkflowLaunched> launchedSerde(boolean autoRegister) {
        return new SpecificAvroSerde<>(registry, WorkflowLaunched.class, autoRegister);
    }

    @SuppressWarnings("unchecked")
    private SpecificAvroSerde<SpecificRecord> serdeFor(SpecificRecord event) {
        return new SpecificAvroSerde<>(registry, (Class<SpecificRecord>) event.getClass(), true);
    }

    private static String stackTraceOf(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text + failure.toString();
    }
}
