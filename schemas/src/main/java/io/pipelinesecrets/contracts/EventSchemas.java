package io.pipelinesecrets.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import org.apache.avro.Schema;

import java.util.List;

/**
 * The event schemas in the form they are registered in a schema registry.
 *
 * <p>The generated classes carry {@code "avro.java.string": "String"} on every string, an instruction to the Java
 * code generator that means nothing to other readers. A registry compares schemas textually, so a schema
 * registered with those properties would get a different id from the same {@code .avsc} registered by the deploy
 * pipeline, and a lookup with auto-registration off would fail. Everything that talks to a registry uses this form.
 */
public final class EventSchemas {

    private static final String JAVA_STRING_PROPERTY = "avro.java.string";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventSchemas() {
    }

    /** The four event schemas of docs/design.md §4, as registered. */
    public static List<Schema> all() {
        return List.of(
                registryForm(WorkflowLaunched.getClassSchema()),
                registryForm(WorkflowCompleted.getClassSchema()),
                registryForm(SecretRecord.getClassSchema()),
                registryForm(AuditEvent.getClassSchema()));
    }

    /** The schema without code-generator properties; equal to the schema parsed from its {@code .avsc} file. */
    public static Schema registryForm(Schema generated) {
        try {
            JsonNode tree = JSON.readTree(generated.toString());
            return new Schema.Parser().parse(JSON.writeValueAsString(withoutJavaProperties(tree)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Avro printed a schema that is not JSON: " + generated.getFullName(), e);
        }
    }

    private static JsonNode withoutJavaProperties(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            object.remove(JAVA_STRING_PROPERTY);
            object.properties().forEach(field -> field.setValue(withoutJavaProperties(field.getValue())));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                withoutJavaProperties(node.get(i));
            }
        }
        return node;
    }
}
