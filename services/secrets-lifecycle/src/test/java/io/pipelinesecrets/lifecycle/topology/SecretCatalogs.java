package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.lifecycle.resolution.SecretSource;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The service's own catalog over a secrets store, for measurements that time resolution itself. */
public final class SecretCatalogs {

    private SecretCatalogs() {
    }

    public static SecretSource over(ReadOnlyKeyValueStore<String, byte[]> store, Deserializer<SecretRecord> records,
                                    String topic) {
        return new SecretCatalog(store, records, topic);
    }
}
