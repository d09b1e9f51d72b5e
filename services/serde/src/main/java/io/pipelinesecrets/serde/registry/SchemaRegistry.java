package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API the serde needs, one method per endpoint, so that an HTTP
 * client is a thin mapping:
 * <ul>
 *   <li>{@link #register}: {@code POST /subjects/{subject}/versions}</li>
 *   <li>{@link #lookup}: {@code POST /subjects/{subject}}</li>
 *   <li>{@link #schemaById}: {@code GET /schemas/ids/{id}}</li>
 * </ul>
 * Implementations are thread-safe. Errors are {@link SchemaRegistryException}s.
 */
public interface SchemaRegistry {

    /** Registers the schema under the subject (idempotent: an already registered schema keeps its id). */
    RegisteredSchema register(String subject, Schema schema);

    /**
     * Finds the schema among the subject's versions.
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (Confluent 40401)
     * @throws SchemaRegistryException.SchemaNotFound  if the subject does not hold this schema (Confluent 40403)
     */
    RegisteredSchema lookup(String subject, Schema schema);

    /**
     * The schema with this global id.
     *
     * @throws SchemaRegistryException.SchemaNotFound if no schema has the id (Confluent 40403)
     */
    Schema schemaById(int id);
}
