package io.pipelinesecrets.serde;

import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.serde.registry.SchemaRegistry;

/** The value serdes of the four event types, sharing one registry and one registration policy. */
public record EventSerdes(
        SpecificAvroSerde<WorkflowLaunched> launched,
        SpecificAvroSerde<WorkflowCompleted> completed,
        SpecificAvroSerde<SecretRecord> secrets,
        SpecificAvroSerde<AuditEvent> audit) {

    public static EventSerdes create(SchemaRegistry registry, boolean autoRegister) {
        return new EventSerdes(
                new SpecificAvroSerde<>(registry, WorkflowLaunched.class, autoRegister),
                new SpecificAvroSerde<>(registry, WorkflowCompleted.class, autoRegister),
                new SpecificAvroSerde<>(registry, SecretRecord.class, autoRegister),
                new SpecificAvroSerde<>(registry, AuditEvent.class, autoRegister));
    }
}
