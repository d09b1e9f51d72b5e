package io.pipelinesecrets.lifecycle.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global secrets store equal to the compacted secrets topic: put, or delete on a tombstone.
 *
 * <p>It copies records verbatim and validates nothing, on purpose: when the store is restored from the topic
 * (every start, as the store lives in memory), Kafka Streams writes the records straight into it without calling
 * this processor, so any filtering here would make the store differ between a fresh start and steady state.
 * Validation happens where the store is read ({@link SecretCatalog}).
 */
final class GlobalSecretsUpdater implements Processor<String, byte[], Void, Void> {

    private final String storeName;
    private KeyValueStore<String, byte[]> store;

    GlobalSecretsUpdater(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
