package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.CredentialsFactory;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackend;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSource;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretManagerBackend;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.service.ClusterIdentity;

import java.util.ArrayList;
import java.util.List;

/** The backends a configuration turns on, built the same way for the service and for `reconcile`. */
final class ConfiguredBackends {

    private ConfiguredBackends() {
    }

    static CredentialsFactory standardCredentials(ServiceConfig config) {
        return config.aws().map(aws -> CredentialsFactory.standard("pipeline-secrets-" + config.instanceId(),
                aws.roleExternalId())).orElse(null);
    }

    /**
     * The backends, marking what they create as this deployment's (asks Kafka for its cluster id when any backend
     * is configured).
     *
     * @param awsCredentials where AWS credentials come from, when the AWS backend is configured
     */
    static List<SecretsBackend> create(ServiceConfig config, CredentialsFactory awsCredentials) {
        if (config.filesystem().isEmpty() && config.aws().isEmpty() && config.google().isEmpty()) {
            return List.of();
        }
        ServiceConfig deployed = config.withDeployment(ClusterIdentity.deploymentOf(config));
        List<SecretsBackend> backends = new ArrayList<>();
        deployed.filesystem().ifPresent(filesystem -> backends.add(new FilesystemBackend(filesystem)));
        deployed.aws().ifPresent(aws -> backends.add(new AwsSecretsManagerBackend(aws, awsCredentials)));
        // Looked up on first use: a test double's plain-text endpoint never asks for them.
        deployed.google().ifPresent(google -> backends.add(new GoogleSecretManagerBackend(google,
                GoogleCredentialsSource.applicationDefault())));
        return backends;
    }
}
