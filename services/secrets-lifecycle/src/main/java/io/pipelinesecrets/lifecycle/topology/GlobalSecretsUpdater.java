package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.secrets.SecretRecordRules;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global secrets store equal to the compacted secrets topic: put, or delete on a tombstone, and counts
 * how far it got for read-your-writes ({@link SecretsTopicProgress}).
 *
 * <p>Kafka Streams runs this processor for restores too (the in-memory store is refilled from the topic at every
 * start, through the processor; checked against Kafka 4.3's
 * {@code GlobalStateManagerImpl.reprocessState}), so the progress it counts includes what a restore applied.
 * It copies records verbatim and validates nothing but their size: validation and its audit events belong to the
 * secrets validation application, and readers ({@link SecretCatalog}) skip what is invalid.
 */
final class GlobalSecretsUpdater implements Processor<String, byte[], Void, Void> {

    private final String storeName;
    private final SecretsTopicProgress progress;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    GlobalSecretsUpdater(String storeName, SecretsTopicProgress progress) {
        this.storeName = storeName;
        this.progress = progress;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() != null) {
            // An oversized record is invalid, so its key has no usable value: as good as deleted, and never held in
            // memory (the validation application dead-letters it).
            if (record.value() == null || record.value().length > SecretRecordRules.MAX_RECORD_BYTES) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
        // Counted after the write, so a launch waiting for this offset finds the record in the store.
        context.recordMetadata().ifPresent(source -> progress.appliedThrough(source.partition(), source.offset()));
    }
}
