package io.pipelinesecrets.events;

import io.pipelinesecrets.contracts.EventSchemas;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's guard on schema evolution: every current schema must read what every released version of itself
 * wrote (BACKWARD, the registry default), checked with Avro's own {@link SchemaCompatibility}.
 */
class SchemaCompatibilityTest {

    @Test
    void shouldKeepEveryReleasedVersion() {
        assertThat(SchemaFolder.released()).as("released versions under schemas/released").isNotEmpty();
    }

    @Test
    void shouldReadEverythingEveryReleasedVersionWrote() {
        SchemaFolder current = SchemaFolder.current();
        List<String> problems = new ArrayList<>();
        for (SchemaFolder release : SchemaFolder.released()) {
            for (Map.Entry<String, Schema> old : release.schemasByFullName().entrySet()) {
                Schema now = current.schemasByFullName().get(old.getKey());
                if (now == null) {
                    problems.add(old.getKey() + " of " + release.root().getFileName() + " no longer exists");
                    continue;
                }
                problems.addAll(incompatibilities(now, old.getValue(), release.root().getFileName().toString()));
            }
        }
        assertThat(problems).as("backward-incompatible changes").isEmpty();
    }

    @Test
    void shouldCatchAnIncompatibleChange() {
        Schema released = SchemaFolder.current().schemasByFullName().get(WorkflowCompleted.getClassSchema().getFullName());
        String withRequiredField = released.toString().replace(
                "\"fields\":[",
                "\"fields\":[{\"name\":\"requiredWithoutDefault\",\"type\":\"string\"},");
        Schema broken = new Schema.Parser().parse(withRequiredField);

        assertThat(incompatibilities(broken, released, "test")).singleElement().asString()
                .contains("requiredWithoutDefault");
    }

    @Test
    void shouldCatchAnEnumSymbolRemovedWithoutDefault() {
        Schema released = Schema.createEnum("Colour", null, "test", List.of("RED", "GREEN"));
        Schema withoutGreen = Schema.createEnum("Colour", null, "test", List.of("RED"));

        assertThat(incompatibilities(withoutGreen, released, "test")).isNotEmpty();
    }

    @Test
    void shouldRegisterExactlyTheSchemasOfTheAvscFiles() {
        Map<String, Schema> current = SchemaFolder.current().schemasByFullName();

        assertThat(EventSchemas.all()).hasSize(4).allSatisfy(registered -> {
            assertThat(registered.toString()).doesNotContain("avro.java.string");
            assertThat(registered).isEqualTo(current.get(registered.getFullName()));
            assertThat(registered.toString()).isEqualTo(current.get(registered.getFullName()).toString());
        });
    }

    private static List<String> incompatibilities(Schema reader, Schema writer, String release) {
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        return result.getResult().getIncompatibilities().stream()
                .map(i -> writer.getFullName() + " (current cannot read release " + release + "): " + i.getType()
                        + " at " + i.getLocation() + ": " + i.getMessage())
                .toList();
    }
}
