package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;

import java.util.Optional;

/**
 * The part of the Confluent Schema Registry REST API the service and its tools need, one method per endpoint, so
 * that an HTTP client is a thin mapping:
 * <ul>
 *   <li>{@link #register}: {@code POST /subjects/{subject}/versions}</li>
 *   <li>{@link #lookup}: {@code POST /subjects/{subject}}</li>
 *   <li>{@link #schemaById}: {@code GET /schemas/ids/{id}}</li>
 *   <li>{@link #isCompatible}: {@code POST /compatibility/subjects/{subject}/versions/latest}</li>
 *   <li>{@link #compatibilityLevel}: {@code GET /config} or {@code GET /config/{subject}}</li>
 *   <li>{@link #setCompatibilityLevel}: {@code PUT /config} or {@code PUT /config/{subject}}</li>
 * </ul>
 * Implementations are thread-safe. Errors are {@link SchemaRegistryException}s.
 */
public interface SchemaRegistry {

    /**
     * Registers the schema under the subject (idempotent: an already registered schema keeps its id).
     *
     * @throws SchemaRegistryException.IncompatibleSchema if the subject's compatibility level refuses it (409)
     */
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

    /**
     * Whether {@link #register} would accept the schema as the subject's next version, as far as the subject's
     * compatibility level goes, checked against its latest version. Registers nothing.
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (Confluent 40401): a first
     *                                                 version is always accepted, callers decide what that means
     */
    boolean isCompatible(String subject, Schema schema);

    /**
     * The compatibility level, e.g. {@code BACKWARD}: the registry's global one, or the one that applies to the
     * subject (its own if set, else the global one).
     */
    String compatibilityLevel(Optional<String> subject);

    /**
     * Sets the global compatibility level, or the subject's own level.
     *
     * @throws SchemaRegistryException.InvalidCompatibilityLevel if the registry does not know the level (42203)
     */
    void setCompatibilityLevel(Optional<String> subject, String level);
}
