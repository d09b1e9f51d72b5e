package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.serde.UndecodableRecordException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Decodes and checks the records of one workflow topic: an event that passes goes on to the
 * {@link LifecycleProcessor} as a {@link WorkflowInput}; anything else (bytes that do not decode, no value, a rule
 * Avro cannot express broken) is rejected with its dead letter and audit event. Values are decoded here rather
 * than by the source's deserializer so that a poison record becomes a dead letter in the same transaction instead
 * of stopping the stream.
 *
 * @param <E> the topic's event type
 */
final class WorkflowEventDecoder<E> implements Processor<byte[], byte[], Object, Object> {

    private final Deserializer<E> deserializer;
    private final Function<E, String> eventId;
    private final BiFunction<String, E, Optional<DeadLetters.Rejection>> problem;
    private final Function<E, RunInput> toInput;
    private final RejectedEvents rejections;
    private ProcessorContext<Object, Object> context;

    private WorkflowEventDecoder(LifecycleTopology.Settings settings, Deserializer<E> deserializer,
                                 Function<E, String> eventId,
                                 BiFunction<String, E, Optional<DeadLetters.Rejection>> problem,
                                 Function<E, RunInput> toInput) {
        this.deserializer = deserializer;
        this.eventId = eventId;
        this.problem = problem;
        this.toInput = toInput;
        this.rejections = new RejectedEvents(settings);
    }

    /** The decoder of the workflow-launched topic; a launch is also checked against the service's clock. */
    static WorkflowEventDecoder<WorkflowLaunched> launches(LifecycleTopology.Settings settings,
                                                           Deserializer<WorkflowLaunched> deserializer) {
        return new WorkflowEventDecoder<>(settings, deserializer, WorkflowLaunched::getEventId,
                (key, launch) -> WorkflowEvents.problem(key, launch, settings.clock().instant(),
                        settings.policy().maxClockSkew()),
                WorkflowEvents::toInput);
    }

    /** The decoder of the workflow-completed topic. */
    static WorkflowEventDecoder<WorkflowCompleted> completions(LifecycleTopology.Settings settings,
                                                               Deserializer<WorkflowCompleted> deserializer) {
        return new WorkflowEventDecoder<>(settings, deserializer, WorkflowCompleted::getEventId,
                WorkflowEvents::problem, WorkflowEvents::toInput);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> source = context.recordMetadata();
        String topic = source.map(RecordMetadata::topic).orElse("");
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        E event;
        try {
            event = RecordDecoding.decode(deserializer, topic, record.headers(), record.value());
        } catch (UndecodableRecordException e) {
            UndecodableRecordException located = source.map(m -> e.at(m.partition(), m.offset())).orElse(e);
            rejections.reject(context, record, key, new DeadLetters.Rejection(e.reason().name(),
                    e.getClass().getName(), located.getMessage()), null);
            return;
        }
        if (event == null) {
            rejections.reject(context, record, key, emptyValue(), null);
            return;
        }
        Optional<DeadLetters.Rejection> rejection = problem.apply(key, event);
        if (rejection.isPresent()) {
            rejections.reject(context, record, key, rejection.get(), eventId.apply(event));
            return;
        }
        // The key is the run id now (checked above), so it is the text form the run-state store is keyed by.
        context.forward(new Record<Object, Object>(key, new WorkflowInput(toInput.apply(event), eventId.apply(event),
                record), record.timestamp(), record.headers()), LifecycleTopology.LIFECYCLE);
    }

    private static DeadLetters.Rejection emptyValue() {
        return new DeadLetters.Rejection("EMPTY_VALUE", "InvalidEvent", "a workflow event must have a value");
    }
}
