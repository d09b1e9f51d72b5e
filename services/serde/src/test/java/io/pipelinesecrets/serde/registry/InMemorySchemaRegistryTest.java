package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry.CompatibilityLevel;
import org.junit.jupiter.api.Test;

import java.util.Optional;

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

    @Test
    void shouldNameTheKindAndPlaceOfAnIncompatibilityButNotQuoteTheSchemas() {
        registry.register("things-value", V1);

        assertThatThrownBy(() -> registry.register("things-value", INCOMPATIBLE))
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE")
                .hasMessageContaining("/fields/1")
                .hasMessageNotContaining("size")
                .hasMessageNotContaining("\"type\"");
    }

    @Test
    void shouldListSubjectsInTheOrderOfTheirFirstRegistration() {
        for (String subject : new String[] {"zebra-value", "apple-value", "mango-value", "kiwi-value"}) {
            registry.register(subject, V1);
        }

        assertThat(registry.subjects()).containsExactly("zebra-value", "apple-value", "mango-value", "kiwi-value");
    }

    @Test
    void shouldListVersionsAndServeEachVersionAndTheLatest() {
        RegisteredSchema v1 = registry.register("things-value", V1);
        RegisteredSchema v2 = registry.register("things-value", V2);

        assertThat(registry.versions("things-value")).containsExactly(1, 2);
        assertThat(registry.version("things-value", 1)).isEqualTo(v1);
        assertThat(registry.version("things-value", 2)).isEqualTo(v2);
        assertThat(registry.latest("things-value")).isEqualTo(v2);
    }

    @Test
    void shouldAnswerUnknownSubjectsWith40401AndUnknownVersionsWith40402() {
        registry.register("things-value", V1);

        assertThatThrownBy(() -> registry.versions("nothing-value"))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class);
        assertThatThrownBy(() -> registry.latest("nothing-value"))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class);
        assertThatThrownBy(() -> registry.version("nothing-value", 1))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class);
        for (int missing : new int[] {0, 2, -3}) {
            assertThatThrownBy(() -> registry.version("things-value", missing))
                    .hasMessageContaining("things-value")
                    .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                            .isEqualTo(InMemorySchemaRegistry.VERSION_NOT_FOUND).isEqualTo(40402));
        }
    }

    @Test
    void shouldTellWhetherACandidateIsCompatibleWithoutRegisteringIt() {
        registry.register("things-value", V1);

        assertThat(registry.isCompatible("things-value", V2)).isTrue();
        assertThat(registry.isCompatible("things-value", V1)).isTrue();
        assertThat(registry.isCompatible("things-value", INCOMPATIBLE)).isFalse();
        assertThat(registry.isCompatible("things-value", 1, INCOMPATIBLE)).isFalse();
        assertThat(registry.versions("things-value")).containsExactly(1);
        assertThatThrownBy(() -> registry.isCompatible("nothing-value", V1))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class);
        assertThatThrownBy(() -> registry.isCompatible("things-value", 5, V1))
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40402));
    }

    @Test
    void shouldCheckTheLatestVersionOnlyAsConfluentsNonTransitiveBackwardDoes() {
        Schema withSize = SchemaBuilder.record("Thing").fields().requiredString("id").name("size").type().longType()
                .longDefault(0).endRecord();
        registry.register("things-value", V1);
        registry.register("things-value", withSize);

        assertThat(registry.isCompatible("things-value", INCOMPATIBLE)).isTrue();
        assertThat(registry.isCompatible("things-value", 1, INCOMPATIBLE)).isFalse();
    }

    @Test
    void shouldDefaultToBackwardAndSkipTheCheckUnderNone() {
        registry.register("things-value", V1);
        assertThat(registry.compatibilityLevel()).isEqualTo(CompatibilityLevel.BACKWARD);

        registry.setCompatibilityLevel(CompatibilityLevel.NONE);

        assertThat(registry.isCompatible("things-value", INCOMPATIBLE)).isTrue();
        RegisteredSchema registered = registry.register("things-value", INCOMPATIBLE);
        assertThat(registered.version()).isEqualTo(2);
        assertThat(registry.compatibilityLevel()).isEqualTo(CompatibilityLevel.NONE);
    }

    @Test
    void shouldLetASubjectLevelOverrideTheGlobalLevel() {
        registry.register("loose-value", V1);
        registry.register("strict-value", V1);

        registry.setSubjectCompatibilityLevel("loose-value", CompatibilityLevel.NONE);

        assertThat(registry.subjectCompatibilityLevel("loose-value")).contains(CompatibilityLevel.NONE);
        assertThat(registry.subjectCompatibilityLevel("strict-value")).isEmpty();
        assertThat(registry.effectiveCompatibilityLevel("strict-value")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(registry.register("loose-value", INCOMPATIBLE).version()).isEqualTo(2);
        assertThatThrownBy(() -> registry.register("strict-value", INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class);

        registry.setCompatibilityLevel(CompatibilityLevel.NONE);
        registry.setSubjectCompatibilityLevel("loose-value", CompatibilityLevel.BACKWARD);

        assertThat(registry.effectiveCompatibilityLevel("loose-value")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(registry.register("strict-value", INCOMPATIBLE).version()).isEqualTo(2);
    }

    @Test
    void shouldReadAndSetLevelsByNameThroughTheInterface() {
        SchemaRegistry api = registry;
        registry.register("things-value", V1);

        assertThat(api.compatibilityLevel(Optional.empty())).isEqualTo("BACKWARD");
        assertThat(api.compatibilityLevel(Optional.of("things-value"))).isEqualTo("BACKWARD");
        assertThat(api.compatibilityLevel(Optional.of("nothing-value"))).isEqualTo("BACKWARD");

        api.setCompatibilityLevel(Optional.of("things-value"), "none");
        api.setCompatibilityLevel(Optional.of("future-value"), "NONE");

        assertThat(api.compatibilityLevel(Optional.of("things-value"))).isEqualTo("NONE");
        assertThat(api.compatibilityLevel(Optional.of("future-value"))).isEqualTo("NONE");
        assertThat(api.compatibilityLevel(Optional.empty())).isEqualTo("BACKWARD");
        assertThat(api.isCompatible("things-value", INCOMPATIBLE)).isTrue();

        api.setCompatibilityLevel(Optional.empty(), "NONE");
        assertThat(registry.compatibilityLevel()).isEqualTo(CompatibilityLevel.NONE);
    }

    @Test
    void shouldRefuseLevelsItDoesNotSupportWith42203NamingTheSubject() {
        assertThatThrownBy(() -> registry.setCompatibilityLevel(Optional.of("things-value"), "FULL_TRANSITIVE"))
                .isInstanceOf(SchemaRegistryException.InvalidCompatibilityLevel.class)
                .hasMessageContaining("FULL_TRANSITIVE").hasMessageContaining("things-value")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(42203));
        assertThatThrownBy(() -> registry.setCompatibilityLevel(Optional.empty(), null))
                .isInstanceOf(SchemaRegistryException.InvalidCompatibilityLevel.class);
        assertThat(registry.compatibilityLevel()).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldRaiseVersionNotFoundForAMissingVersion() {
        registry.register("things-value", V1);

        assertThatThrownBy(() -> registry.version("things-value", 2))
                .isInstanceOf(SchemaRegistryException.VersionNotFound.class)
                .hasMessageContaining("version 2").hasMessageContaining("things-value");
    }
}
