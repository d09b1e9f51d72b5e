package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry held in memory with the Confluent semantics the service relies on: global ids shared by equal
 * schemas across subjects, versions numbered from 1 per subject, idempotent registration, and BACKWARD
 * compatibility against the latest version (the registry's default level). Backs {@code mock://} URLs in tests
 * and the embedded registry of the {@code dev} command.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private final Map<String, List<RegisteredSchema>> versionsBySubject = new HashMap<>();
    private final Map<String, Integer> idsBySchemaText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private int nextId = 1;

    @Override
    public synchronized RegisteredSchema register(String subject, Schema schema) {
        List<RegisteredSchema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        for (RegisteredSchema existing : versions) {
            if (existing.schema().equals(schema)) {
                return existing;
            }
        }
        if (!versions.isEmpty()) {
            requireBackwardCompatible(subject, schema, versions.get(versions.size() - 1).schema());
        }
        int id = idsBySchemaText.computeIfAbsent(schema.toString(), text -> nextId++);
        schemasById.putIfAbsent(id, schema);
        RegisteredSchema registered = new RegisteredSchema(subject, id, versions.size() + 1, schema);
        versions.add(registered);
        return registered;
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        List<RegisteredSchema> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaRegistryException.SubjectNotFound(subject);
        }
        return versions.stream()
                .filter(v -> v.schema().equals(schema))
                .findFirst()
                .orElseThrow(() -> new SchemaRegistryException.SchemaNotFound(
                        "schema " + schema.getFullName() + " is not registered under subject '" + subject + "'"));
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException.SchemaNotFound("no schema with id " + id);
        }
        return schema;
    }

    /** Subjects in registration order of their first version. */
    public synchronized List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }

    private static void requireBackwardCompatible(String subject, Schema candidate, Schema latest) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SchemaRegistryException.IncompatibleSchema(subject, result.getDescription());
        }
    }
}
