package io.pipelinesecrets.testing.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One cluster per size per JVM, kept in JUnit's root store so that JUnit closes it when the whole run ends,
 * after every class that used it.
 */
final class SharedClusters {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedClusters.class);

    private SharedClusters() {
    }

    static KafkaTestCluster get(ExtensionContext context, int brokers) {
        ExtensionContext.Store rootStore = context.getRoot().getStore(NAMESPACE);
        return rootStore.getOrComputeIfAbsent("cluster-" + brokers,
                // Only the in-JVM test kit runs several brokers (and stops one); a single broker may be a container.
                key -> new ClosingResource((brokers > 1 ? KafkaTestBackend.EMBEDDED : KafkaTestBackend.selected()).start(brokers)),
                ClosingResource.class).cluster();
    }

    @SuppressWarnings("deprecation") // CloseableResource still is what every JUnit 5 version closes
    private record ClosingResource(KafkaTestCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.close();
        }
    }
}
