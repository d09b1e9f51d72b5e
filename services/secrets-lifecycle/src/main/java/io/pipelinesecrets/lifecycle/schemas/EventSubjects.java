package io.pipelinesecrets.lifecycle.schemas;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.serde.ConfluentWireFormat;
import org.apache.avro.Schema;

import java.util.List;

/** Which schema lives under which subject: TopicNameStrategy, {@code <topic>-value}, for the configured topics. */
public record EventSubjects(List<Subject> subjects) {

    public record Subject(String name, Schema schema, boolean writtenByService) {
    }

    public static EventSubjects of(ServiceTopics topics) {
        return new EventSubjects(List.of(
                subject(topics.launched(), EventSchemas.registryForm(WorkflowLaunched.getClassSchema()), false),
                subject(topics.completed(), EventSchemas.registryForm(WorkflowCompleted.getClassSchema()), false),
                subject(topics.secrets(), EventSchemas.registryForm(SecretRecord.getClassSchema()), false),
                subject(topics.audit(), EventSchemas.registryForm(AuditEvent.getClassSchema()), true)));
    }

    /** The subjects whose schema the service itself writes with; they must be registered before it starts. */
    public List<Subject> writtenByService() {
        return subjects.stream().filter(Subject::writtenByService).toList();
    }

    private static Subject subject(String topic, Schema schema, boolean written) {
        return new Subject(ConfluentWireFormat.subject(topic, false), schema, written);
    }
}
