package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** What the integration tests may look at inside a running {@link LifecycleService} and production code does not. */
public final class ServiceInternals {

    private ServiceInternals() {
    }

    /**
     * How many secrets the lifecycle application's global store holds: what resolution sees of the secrets topic.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the store is not queryable
     */
    public static long secretsVisible(LifecycleService service) {
        ReadOnlyKeyValueStore<String, byte[]> secrets = secretsStore(service);
        long count = 0;
        try (KeyValueIterator<String, byte[]> all = secrets.all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }

    /** The lifecycle application's global secrets store, as resolution reads it (bytes as on the topic). */
    public static ReadOnlyKeyValueStore<String, byte[]> secretsStore(LifecycleService service) {
        return service.lifecycleStreams().store(StoreQueryParameters.fromNameAndType(LifecycleTopology.SECRETS_STORE,
                QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }
}
