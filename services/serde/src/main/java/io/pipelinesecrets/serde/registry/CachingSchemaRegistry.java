package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers answers of a slower registry. Schemas by id never change, and neither does a schema's id under a
 * subject once registered, so entries never go stale; the caches are bounded (least recently used out) so that a
 * stream of unknown ids in poison records cannot grow memory. Failures are not cached: a schema registered a
 * moment later is found on the next call.
 *
 * <p>Compatibility checks and levels are not cached: their answers change whenever a version is registered or a
 * level set, and they are rare (start-up checks, tools), so they always go to the delegate.
 */
public final class CachingSchemaRegistry implements SchemaRegistry {

    public static final int DEFAULT_CAPACITY = 1_000;

    private final SchemaRegistry delegate;
    private final Map<Integer, Schema> schemasById;
    private final Map<SubjectSchema, RegisteredSchema> registrations;
    private final Map<SubjectSchema, RegisteredSchema> lookups;

    public CachingSchemaRegistry(SchemaRegistry delegate) {
        this(delegate, DEFAULT_CAPACITY);
    }

    public CachingSchemaRegistry(SchemaRegistry delegate, int capacity) {
        this.delegate = delegate;
        this.schemasById = lruMap(capacity);
        this.registrations = lruMap(capacity);
        this.lookups = lruMap(capacity);
    }

    @Override
    public RegisteredSchema register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema cached = registrations.get(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema registered = delegate.register(subject, schema);
        registrations.put(key, registered);
        schemasById.put(registered.id(), schema);
        return registered;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema cached = lookups.get(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema found = delegate.lookup(subject, schema);
        lookups.put(key, found);
        schemasById.put(found.id(), schema);
        return found;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = delegate.schemaById(id);
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return delegate.isCompatible(subject, schema);
    }

    @Override
    public String compatibilityLevel(Optional<String> subject) {
        return delegate.compatibilityLevel(subject);
    }

    @Override
    public void setCompatibilityLevel(Optional<String> subject, String level) {
        delegate.setCompatibilityLevel(subject, level);
    }

    private static <K, V> Map<K, V> lruMap(int capacity) {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        });
    }

    private record SubjectSchema(String subject, Schema schema) {
    }
}
