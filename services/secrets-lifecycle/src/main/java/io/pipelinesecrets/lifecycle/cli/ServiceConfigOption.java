package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code --config FILE}: the operator commands reach Kafka and the registry exactly as the service does. */
final class ServiceConfigOption {

    /** Bound on reading a topic to its end; generous, since it is reached only when something is wrong. */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    @Option(names = "--config", paramLabel = "FILE",
            description = "The service's configuration (a properties file); PIPELINE_SECRETS_* environment variables"
                    + " override it, as for `run`. Kafka security settings (kafka.*) apply to this command too.")
    Path file;

    /** @throws io.pipelinesecrets.lifecycle.config.ConfigException naming every problem */
    ServiceConfig load() {
        return ConfigLoader.load(Optional.ofNullable(file), System.getenv());
    }
}
