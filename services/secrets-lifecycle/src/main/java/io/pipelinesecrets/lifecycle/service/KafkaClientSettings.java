package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Client settings for the operator commands, from the service's own: the bootstrap servers plus every
 * {@code kafka.*} setting (SASL, TLS, timeouts ...), so a command reaches the cluster exactly as the service
 * does. Each client gets only the settings it knows; Streams-only settings would otherwise be logged as unused.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    /** Bootstrap servers and every pass-through setting, unfiltered. */
    public static Map<String, Object> of(ServiceConfig config) {
        return of(config.bootstrapServers(), config.kafka());
    }

    public static Map<String, Object> of(String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return settings;
    }

    public static Map<String, Object> admin(Map<String, Object> settings) {
        return only(settings, AdminClientConfig.configNames());
    }

    public static Map<String, Object> consumer(Map<String, Object> settings) {
        return only(settings, ConsumerConfig.configNames());
    }

    public static Map<String, Object> producer(Map<String, Object> settings) {
        return only(settings, ProducerConfig.configNames());
    }

    private static Map<String, Object> only(Map<String, Object> settings, Set<String> known) {
        Map<String, Object> filtered = new HashMap<>(settings);
        filtered.keySet().retainAll(known);
        return filtered;
    }
}
