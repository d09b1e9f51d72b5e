package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A registry held in memory with the Confluent semantics the service relies on: global ids shared by equal
 * schemas across subjects, versions numbered from 1 per subject, idempotent registration, and BACKWARD
 * compatibility against the latest version (the registry's default level). Backs {@code mock://} URLs in tests
 * and the embedded registry of the {@code dev} command.
 *
 * <p>Compatibility is configurable as Confluent's is, globally and per subject (a subject's level overrides the
 * global one), but only with the two levels the project uses: {@link CompatibilityLevel#BACKWARD} and
 * {@link CompatibilityLevel#NONE}.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    /** Confluent's error code for a version a subject does not have. */
    public static final int VERSION_NOT_FOUND = 40402;

    /** The compatibility levels this registry honours; Confluent knows more (FORWARD, FULL, *_TRANSITIVE). */
    public enum CompatibilityLevel {
        /** No check: any schema may become the next version. */
        NONE,
        /** A new version must read data written with the latest version (Confluent's default). */
        BACKWARD
    }

    private final Map<String, List<RegisteredSchema>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, Integer> idsBySchemaText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, CompatibilityLevel> levelsBySubject = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId = 1;

    @Override
    public synchronized RegisteredSchema register(String subject, Schema schema) {
        List<RegisteredSchema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        for (RegisteredSchema existing : versions) {
            if (existing.schema().equals(schema)) {
                return existing;
            }
        }
        if (!versions.isEmpty() && effectiveCompatibilityLevel(subject) == CompatibilityLevel.BACKWARD) {
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
        return existingVersions(subject).stream()
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
        return versionsBySubject.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableList());
    }

    /**
     * The subject's version numbers, ascending ({@code GET /subjects/{subject}/versions}).
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (40401)
     */
    public synchronized List<Integer> versions(String subject) {
        return existingVersions(subject).stream().map(RegisteredSchema::version).collect(Collectors.toUnmodifiableList());
    }

    /**
     * One version of the subject ({@code GET /subjects/{subject}/versions/{version}}).
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (40401)
     * @throws SchemaRegistryException.VersionNotFound if it lacks this one (40402)
     */
    public synchronized RegisteredSchema version(String subject, int version) {
        List<RegisteredSchema> versions = existingVersions(subject);
        if (version < 1 || version > versions.size()) {
            throw new SchemaRegistryException.VersionNotFound(subject, String.valueOf(version));
        }
        return versions.get(version - 1);
    }

    /**
     * The subject's newest version ({@code GET /subjects/{subject}/versions/latest}).
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (40401)
     */
    public synchronized RegisteredSchema latest(String subject) {
        List<RegisteredSchema> versions = existingVersions(subject);
        return versions.get(versions.size() - 1);
    }

    /**
     * Whether {@link #register} would accept the candidate as the subject's next version as far as compatibility
     * goes ({@code POST /compatibility/subjects/{subject}/versions/latest}): always under NONE, otherwise if it
     * reads data written with the latest version.
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (40401, as Confluent answers)
     */
    @Override
    public synchronized boolean isCompatible(String subject, Schema candidate) {
        return isCompatible(candidate, latest(subject), effectiveCompatibilityLevel(subject));
    }

    /**
     * Like {@link #isCompatible(String, Schema)} but against the given version rather than the latest
     * ({@code POST /compatibility/subjects/{subject}/versions/{version}}).
     *
     * @throws SchemaRegistryException.SubjectNotFound if the subject has no versions (40401)
     * @throws SchemaRegistryException.VersionNotFound if it lacks this one (40402)
     */
    public synchronized boolean isCompatible(String subject, int version, Schema candidate) {
        return isCompatible(candidate, version(subject, version), effectiveCompatibilityLevel(subject));
    }

    /** The global compatibility level ({@code GET /config}); BACKWARD unless changed. */
    public synchronized CompatibilityLevel compatibilityLevel() {
        return globalLevel;
    }

    /** Sets the global compatibility level ({@code PUT /config}). */
    public synchronized void setCompatibilityLevel(CompatibilityLevel level) {
        globalLevel = Objects.requireNonNull(level, "level");
    }

    /** The level set for this subject, if any ({@code GET /config/{subject}}); the global level is not consulted. */
    public synchronized Optional<CompatibilityLevel> subjectCompatibilityLevel(String subject) {
        return Optional.ofNullable(levelsBySubject.get(subject));
    }

    /**
     * Sets the subject's own level, which overrides the global one ({@code PUT /config/{subject}}). The subject need
     * not have versions yet.
     */
    public synchronized void setSubjectCompatibilityLevel(String subject, CompatibilityLevel level) {
        levelsBySubject.put(Objects.requireNonNull(subject, "subject"), Objects.requireNonNull(level, "level"));
    }

    /**
     * The global level, or the one that applies to the subject ({@code GET /config} or
     * {@code GET /config/{subject}?defaultToGlobal=true}).
     */
    @Override
    public synchronized String compatibilityLevel(Optional<String> subject) {
        return subject.map(this::effectiveCompatibilityLevel).orElse(globalLevel).name();
    }

    /**
     * Sets the global level or the subject's own one by name ({@code PUT /config} or {@code PUT /config/{subject}}).
     *
     * @throws SchemaRegistryException.InvalidCompatibilityLevel for a level other than NONE or BACKWARD (42203)
     */
    @Override
    public void setCompatibilityLevel(Optional<String> subject, String level) {
        CompatibilityLevel parsed = parseLevel(level, subject);
        if (subject.isPresent()) {
            setSubjectCompatibilityLevel(subject.get(), parsed);
        } else {
            setCompatibilityLevel(parsed);
        }
    }

    /** The level that applies to the subject: its own if set, else the global one. */
    public synchronized CompatibilityLevel effectiveCompatibilityLevel(String subject) {
        return levelsBySubject.getOrDefault(subject, globalLevel);
    }

    private static CompatibilityLevel parseLevel(String level, Optional<String> subject) {
        String name = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
        for (CompatibilityLevel candidate : CompatibilityLevel.values()) {
            if (candidate.name().equals(name)) {
                return candidate;
            }
        }
        throw new SchemaRegistryException.InvalidCompatibilityLevel("compatibility level '" + level + "'"
                + subject.map(s -> " for subject '" + s + "'").orElse("") + " is not supported: this registry knows "
                + Arrays.toString(CompatibilityLevel.values()));
    }

    private List<RegisteredSchema> existingVersions(String subject) {
        List<RegisteredSchema> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaRegistryException.SubjectNotFound(subject);
        }
        return versions;
    }

    private static boolean isCompatible(Schema candidate, RegisteredSchema against, CompatibilityLevel level) {
        return level == CompatibilityLevel.NONE
                || candidate.equals(against.schema())
                || backwardCompatibility(candidate, against.schema()).getType()
                        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private static SchemaCompatibility.SchemaPairCompatibility backwardCompatibility(Schema candidate, Schema latest) {
        return SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest);
    }

    /**
     * Avro's own description of an incompatibility prints both schemas in full; the exception names only the kind
     * and the place (a JSON pointer into the new schema) of each problem, so that it can be logged and sent back.
     */
    private static void requireBackwardCompatible(String subject, Schema candidate, Schema latest) {
        SchemaCompatibility.SchemaPairCompatibility result = backwardCompatibility(candidate, latest);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            String details = result.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation())
                    .distinct()
                    .collect(Collectors.joining(", "));
            throw new SchemaRegistryException.IncompatibleSchema(subject,
                    details.isEmpty() ? "BACKWARD check failed" : details);
        }
    }
}
