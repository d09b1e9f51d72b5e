package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemorySchemaRegistryTest {

    private static final Schema V1 = SchemaBuilder.record("Thing").fields().requiredString("id").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Thing").fields().requiredString("id")
            .optionalString("note").endRecord();
    private static final Schema INCOMPATIBLE = SchemaBuilder.record("Thing").fields().requiredString("id")
            .requiredLong("size").endRecord();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldKeepTheIdWhenTheSameSchemaIsRegisteredAgain() {
        RegisteredSchema first = registry.register("things-value", V1);

        assertThat(registry.register("things-value", V1)).isEqualTo(first);
        assertThat(first.version()).isEqualTo(1);
    }

    @Test
    void shouldShareOneIdForOneSchemaAcrossSubjects() {
        assertThat(registry.register("a-value", V1).id()).isEqualTo(registry.register("b-value", V1).id());
    }

    @Test
    void shouldNumberVersionsPerSubjectAndIdsGlobally() {
        RegisteredSchema v1 = registry.register("things-value", V1);
        RegisteredSchema v2 = registry.register("things-value", V2);

        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.id()).isNotEqualTo(v1.id());
        assertThat(registry.schemaById(v2.id())).isEqualTo(V2);
        assertThat(registry.lookup("things-value", V1)).isEqualTo(v1);
    }

    @Test
    void shouldRefuseABackwardIncompatibleVersion() {
        registry.register("things-value", V1);

        assertThatThrownBy(() -> registry.register("things-value", INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class)
                .hasMessageContaining("things-value")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    }

    @Test
    void shouldAnswerUnknownSubjectsSchemasAndIdsWithTheirConfluentCodes() {
        registry.register("things-value", V1);

        assertThatThrownBy(() -> registry.lookup("nothing-value", V1))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> registry.lookup("things-value", V2))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
        assertThatThrownBy(() -> registry.schemaById(999))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class)
                .hasMessageContaining("999");
    }
}
