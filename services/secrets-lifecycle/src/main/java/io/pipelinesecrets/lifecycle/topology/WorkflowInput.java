package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.run.RunInput;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A workflow event that decoded and passed every rule Avro cannot express, as the core's input, handed from its
 * source's {@link WorkflowEventDecoder} to the {@link LifecycleProcessor} within the same task (never serialised).
 *
 * @param eventId  the event's id, for the logs and for the audit event of a rejection
 * @param original the record as it was read: what the dead-letter queue receives should the run refuse the input
 */
record WorkflowInput(RunInput input, String eventId, Record<byte[], byte[]> original) {
}
