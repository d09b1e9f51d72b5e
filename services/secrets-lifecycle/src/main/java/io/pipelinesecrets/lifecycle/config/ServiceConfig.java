package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.admin.AdminAccess;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The service's whole configuration, immutable, validated once at start-up by {@link ConfigLoader}.
 *
 * @param kafka      Kafka client and Streams settings passed through as given (SASL, TLS, timeouts ...)
 * @param schemaRegistrySettings the registry client's settings (auth, trust store, timeout), by their keys
 * @param filesystem the shared-filesystem backend, when any root is configured
 * @param aws        the AWS Secrets Manager backend, when any region is configured
 * @param google     the Google Secret Manager backend, when any project is configured
 * @param adminAccess who may read {@code /runs} and {@code /metrics}: the admin bearer token, if any
 * @param topicSizing partitions and replication of the topics {@code topics apply} creates
 */
public record ServiceConfig(
        String applicationId,
        String instanceId,
        String bootstrapServers,
        Map<String, Object> kafka,
        String schemaRegistryUrl,
        Map<String, String> schemaRegistrySettings,
        boolean autoRegisterSchemas,
        ServiceTopics topics,
        Path stateDirectory,
        Optional<FilesystemBackendConfig> filesystem,
        Optional<AwsBackendConfig> aws,
        Optional<GoogleBackendConfig> google,
        LifecyclePolicy policy,
        Duration punctuationInterval,
        String adminHost,
        int adminPort,
        AdminAccess adminAccess,
        TopicSizing topicSizing,
        ReconcileSettings reconcile) {

    public ServiceConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(adminAccess, "adminAccess");
        Objects.requireNonNull(topicSizing, "topicSizing");
        Objects.requireNonNull(reconcile, "reconcile");
        Objects.requireNonNull(google, "google");
        kafka = Map.copyOf(kafka);
        schemaRegistrySettings = Map.copyOf(schemaRegistrySettings);
    }

    /** The same configuration with the backends marking what they create as {@code deployment}'s. */
    public ServiceConfig withDeployment(Deployment deployment) {
        return new ServiceConfig(applicationId, instanceId, bootstrapServers, kafka, schemaRegistryUrl,
                schemaRegistrySettings, autoRegisterSchemas, topics, stateDirectory,
                filesystem.map(settings -> settings.withDeployment(deployment)),
                aws.map(settings -> settings.withDeployment(deployment)),
                google.map(settings -> settings.withDeployment(deployment)), policy, punctuationInterval, adminHost, adminPort,
                adminAccess, topicSizing, reconcile);
    }
}
