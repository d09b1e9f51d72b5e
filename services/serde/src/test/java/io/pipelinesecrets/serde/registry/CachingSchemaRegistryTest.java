package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingSchemaRegistryTest {

    private static final Schema THING = SchemaBuilder.record("Thing").fields().requiredString("id").endRecord();

    private final CountingRegistry backend = new CountingRegistry();

    @Test
    void shouldAskTheBackendOncePerSchemaAndId() {
        CachingSchemaRegistry cache = new CachingSchemaRegistry(backend);

        int id = cache.register("things-value", THING).id();
        cache.register("things-value", THING);
        cache.lookup("things-value", THING);
        cache.lookup("things-value", THING);
        cache.schemaById(id);
        cache.schemaById(id);

        assertThat(backend.calls.get()).isEqualTo(2);
    }

    @Test
    void shouldNotRememberFailures() {
        CachingSchemaRegistry cache = new CachingSchemaRegistry(backend);

        assertThatThrownBy(() -> cache.lookup("things-value", THING)).isInstanceOf(SchemaRegistryException.class);
        backend.register("things-value", THING);

        assertThat(cache.lookup("things-value", THING).subject()).isEqualTo("things-value");
    }

    @Test
    void shouldForgetTheLeastRecentlyUsedIdBeyondItsCapacity() {
        CachingSchemaRegistry cache = new CachingSchemaRegistry(backend, 2);
        int first = backend.register("a-value", THING).id();
        int second = backend.register("b-value", SchemaBuilder.record("B").fields().requiredInt("n").endRecord()).id();
        int third = backend.register("c-value", SchemaBuilder.record("C").fields().requiredInt("n").endRecord()).id();
        backend.calls.set(0);

        cache.schemaById(first);
        cache.schemaById(second);
        cache.schemaById(third);
        cache.schemaById(first);

        assertThat(backend.calls.get()).isEqualTo(4);
    }

    @Test
    void shouldPassCompatibilityChecksAndLevelsThroughEveryTime() {
        CachingSchemaRegistry cache = new CachingSchemaRegistry(backend);
        cache.register("things-value", THING);
        Schema incompatible = SchemaBuilder.record("Thing").fields().requiredString("id").requiredInt("n").endRecord();
        backend.calls.set(0);

        assertThat(cache.isCompatible("things-value", incompatible)).isFalse();
        cache.setCompatibilityLevel(Optional.of("things-value"), "NONE");
        assertThat(cache.isCompatible("things-value", incompatible)).isTrue();
        assertThat(cache.compatibilityLevel(Optional.of("things-value"))).isEqualTo("NONE");
        assertThat(cache.compatibilityLevel(Optional.of("things-value"))).isEqualTo("NONE");
        assertThat(cache.compatibilityLevel(Optional.empty())).isEqualTo("BACKWARD");

        assertThat(backend.calls.get()).isEqualTo(6);
    }

    @Test
    void shouldPassRefusalsOfCompatibilityChecksAndLevelsThrough() {
        CachingSchemaRegistry cache = new CachingSchemaRegistry(backend);

        assertThatThrownBy(() -> cache.isCompatible("nothing-value", THING))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class);
        assertThatThrownBy(() -> cache.setCompatibilityLevel(Optional.empty(), "SOMETIMES"))
                .isInstanceOf(SchemaRegistryException.InvalidCompatibilityLevel.class);
    }

    private static final class CountingRegistry implements SchemaRegistry {
        private final InMemorySchemaRegistry store = new InMemorySchemaRegistry();
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public RegisteredSchema register(String subject, Schema schema) {
            calls.incrementAndGet();
            return store.register(subject, schema);
        }

        @Override
        public RegisteredSchema lookup(String subject, Schema schema) {
            calls.incrementAndGet();
            return store.lookup(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
            calls.incrementAndGet();
            return store.schemaById(id);
        }

        @Override
        public boolean isCompatible(String subject, Schema schema) {
            calls.incrementAndGet();
            return store.isCompatible(subject, schema);
        }

        @Override
        public String compatibilityLevel(Optional<String> subject) {
            calls.incrementAndGet();
            return store.compatibilityLevel(subject);
        }

        @Override
        public void setCompatibilityLevel(Optional<String> subject, String level) {
            calls.incrementAndGet();
            store.setCompatibilityLevel(subject, level);
        }
    }
}
