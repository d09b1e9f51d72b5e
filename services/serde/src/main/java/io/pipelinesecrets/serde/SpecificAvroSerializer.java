package io.pipelinesecrets.serde;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes one generated Avro class in the Confluent wire format.
 *
 * <p>With {@code autoRegister} the schema is registered under the topic's subject on first use (dev and tests).
 * Without it, the schema must already be registered — in production the deploy pipeline does that — and a
 * missing schema fails with a {@link SchemaResolutionException} that says so.
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final SchemaRegistry registry;
    private final boolean autoRegister;
    private final boolean isKey;
    private final Schema registrySchema;
    private final SpecificDatumWriter<T> writer;
    private final Map<String, Integer> schemaIdByTopic = new ConcurrentHashMap<>();

    public SpecificAvroSerializer(SchemaRegistry registry, Class<T> type, boolean autoRegister) {
        this(registry, type, autoRegister, false);
    }

    public SpecificAvroSerializer(SchemaRegistry registry, Class<T> type, boolean autoRegister, boolean isKey) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
        SpecificData model = SpecificData.getForClass(type);
        Schema classSchema = model.getSchema(type);
        this.registrySchema = EventSchemas.registryForm(classSchema);
        this.writer = new SpecificDatumWriter<>(classSchema, model);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        int schemaId = schemaIdByTopic.computeIfAbsent(topic, this::resolveSchemaId);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ByteBuffer header = ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE);
        ConfluentWireFormat.writeHeader(header, schemaId);
        out.writeBytes(header.array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new InvalidRecordException("cannot encode " + registrySchema.getFullName() + " for topic " + topic
                    + ": " + SafeCauses.describe(e) + (e instanceof NullPointerException ? " (a required field is null)" : ""));
        }
        return out.toByteArray();
    }

    private int resolveSchemaId(String topic) {
        String subject = ConfluentWireFormat.subject(topic, isKey);
        try {
            return autoRegister
                    ? registry.register(subject, registrySchema).id()
                    : registry.lookup(subject, registrySchema).id();
        } catch (SchemaRegistryException e) {
            String hint = autoRegister ? "" : " (auto-registration is off: register the schemas before starting;"
                    + " the deploy pipeline or the `schemas register` command does that)";
            throw new SchemaResolutionException("cannot resolve the id of " + registrySchema.getFullName()
                    + " under subject '" + subject + "': " + e.getMessage() + hint, e);
        }
    }

    /** The object handed to the serializer cannot be written (e.g. a required field is null). */
    public static final class InvalidRecordException extends SerdeException {
        InvalidRecordException(String message) {
            super(message, null);
        }
    }
}
