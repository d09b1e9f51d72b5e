package io.pipelinesecrets.serde;

import io.pipelinesecrets.serde.UndecodableRecordException.Reason;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads one generated Avro class from the Confluent wire format, resolving the writer's schema (fetched by id)
 * against the class's schema, so records written with any compatible earlier or later version decode.
 *
 * <p>A record that can never decode raises {@link UndecodableRecordException} with a {@link Reason}; a registry
 * that cannot answer raises {@link SchemaResolutionException}. Nothing else escapes: no bare
 * {@code NullPointerException} or {@code AvroRuntimeException}, and no {@code OutOfMemoryError}: the bytes are read
 * by {@link BoundedBinaryDecoder}, which refuses any length prefix longer than the record before allocating.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final SchemaRegistry registry;
    private final SpecificData model;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

    public SpecificAvroDeserializer(SchemaRegistry registry, Class<T> type) {
        this.registry = registry;
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < ConfluentWireFormat.HEADER_SIZE) {
            throw new UndecodableRecordException(Reason.TOO_SHORT, topic, null, data.length + " byte(s)", null);
        }
        if (data[0] != ConfluentWireFormat.MAGIC_BYTE) {
            throw new UndecodableRecordException(Reason.UNKNOWN_MAGIC_BYTE, topic, null,
                    String.format("magic byte 0x%02x", data[0]), null);
        }
        int schemaId = ConfluentWireFormat.schemaId(data);
        SpecificDatumReader<T> reader = readerFor(topic, schemaId);
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(
                data, ConfluentWireFormat.HEADER_SIZE, data.length - ConfluentWireFormat.HEADER_SIZE);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (BoundedBinaryDecoder.LengthExceedsRecordException e) {
            throw new UndecodableRecordException(Reason.LENGTH_EXCEEDS_RECORD, topic, schemaId, e.getMessage(), null);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRecordException(Reason.MALFORMED_AVRO, topic, schemaId, SafeCauses.describe(e), null);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // Bounded decoding leaves no known way here; should one be found, it costs one record, not the thread.
            throw new UndecodableRecordException(Reason.DECODER_FAILURE, topic, schemaId, SafeCauses.describe(e), null);
        }
        if (!decoder.isEnd()) {
            throw new UndecodableRecordException(Reason.TRAILING_BYTES, topic, schemaId, null, null);
        }
        return record;
    }

    private SpecificDatumReader<T> readerFor(String topic, int schemaId) {
        SpecificDatumReader<T> cached = readersBySchemaId.get(schemaId);
        if (cached != null) {
            return cached;
        }
        Schema writerSchema = writerSchema(topic, schemaId);
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new UndecodableRecordException(Reason.INCOMPATIBLE_SCHEMA, topic, schemaId,
                    "writer " + writerSchema.getFullName() + ", reader " + readerSchema.getFullName() + ": "
                            + compatibility.getResult().getIncompatibilities().stream()
                            .map(i -> i.getType() + " at " + i.getLocation()).toList(), null);
        }
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema, model);
        readersBySchemaId.put(schemaId, reader);
        return reader;
    }

    private Schema writerSchema(String topic, int schemaId) {
        try {
            return registry.schemaById(schemaId);
        } catch (SchemaRegistryException.SchemaNotFound e) {
            throw new UndecodableRecordException(Reason.UNKNOWN_SCHEMA_ID, topic, schemaId, null, null);
        } catch (RuntimeException e) {
            throw new SchemaResolutionException("cannot fetch schema id " + schemaId + " for a record of topic "
                    + topic + ": " + e.getMessage(), e);
        }
    }
}
