package io.pipelinesecrets.lifecycle.deploy;

import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.Key;
import io.pipelinesecrets.lifecycle.config.PerComputeEnv;
import io.pipelinesecrets.lifecycle.config.ServiceKeys;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What names the service's configuration accepts, for checking deploy artifacts that set it. */
final class ConfigKeys {

    /** Every setting a Kafka client or Streams understands: what a kafka.<setting> passthrough may name. */
    private static final Set<String> KAFKA_SETTINGS = kafkaSettings();
    private static final String KAFKA_ENV_PREFIX = ConfigLoader.ENV_PREFIX + "KAFKA_";

    private ConfigKeys() {
    }

    /**
     * The configuration key an environment variable sets, or empty if it sets none: one of
     * {@link ServiceKeys#ALL}, a {@code kafka.<setting>} passthrough, or a per-compute-environment prefix.
     * The passthrough's setting must be one Kafka knows, so a typo fails here rather than warn at start-up.
     */
    static Optional<String> keyOf(String environmentVariable) {
        for (Key<?> key : ServiceKeys.ALL) {
            if (key.environmentName().equals(environmentVariable)) {
                return Optional.of(key.name());
            }
        }
        if (environmentVariable.startsWith(KAFKA_ENV_PREFIX)) {
            String setting = environmentVariable.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            return KAFKA_SETTINGS.contains(setting) ? Optional.of("kafka." + setting) : Optional.empty();
        }
        for (PerComputeEnv<?> setting : ServiceKeys.PER_COMPUTE_ENV) {
            String environmentPrefix = setting.environmentPrefix();
            if (environmentVariable.startsWith(environmentPrefix) && environmentVariable.length() > environmentPrefix.length()) {
                return Optional.of(setting.pattern());
            }
        }
        return Optional.empty();
    }

    /** Whether a properties-file key {@code kafka.<setting>} names a setting Kafka knows. */
    static boolean isKnownKafkaSetting(String propertiesKey) {
        return propertiesKey.startsWith("kafka.") && KAFKA_SETTINGS.contains(propertiesKey.substring("kafka.".length()));
    }

    private static Set<String> kafkaSettings() {
        Set<String> names = new HashSet<>();
        names.addAll(StreamsConfig.configDef().names());
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Set.copyOf(names);
    }
}
