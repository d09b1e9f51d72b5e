package io.pipelinesecrets.lifecycle.service;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Told of each Kafka Streams application the service starts (e.g. to bridge its metrics); what it returns is
 * closed when the service stops, before the application is.
 */
@FunctionalInterface
public interface StreamsBinding {

    StreamsBinding NONE = (name, streams) -> () -> {
    };

    /** @param name the application's role: {@code lifecycle} or {@code secret-validation} */
    AutoCloseable bind(String name, KafkaStreams streams);
}
