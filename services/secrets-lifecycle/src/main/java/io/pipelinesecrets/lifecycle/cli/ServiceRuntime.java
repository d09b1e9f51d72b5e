package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.admin.AdminServer;
import io.pipelinesecrets.lifecycle.backend.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.CredentialsFactory;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackend;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.service.LifecycleService;
import io.pipelinesecrets.lifecycle.topology.BackendDispatcher;
import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import io.pipelinesecrets.lifecycle.topology.PlatformRouting;
import io.pipelinesecrets.serde.registry.SchemaRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Assembles the service from its configuration — backends, topology settings, admin HTTP — for `run` and `dev`. */
final class ServiceRuntime implements AutoCloseable {

    private final LifecycleService service;
    private final AdminServer admin;

    private ServiceRuntime(LifecycleService service, AdminServer admin) {
        this.service = service;
        this.admin = admin;
    }

    static ServiceRuntime start(ServiceConfig config, SchemaRegistry registry) {
        return start(config, registry, config.aws().map(aws -> CredentialsFactory.standard(
                "pipeline-secrets-" + config.instanceId(), aws.roleExternalId())).orElse(null));
    }

    /** @param awsCredentials where AWS credentials come from, when the AWS backend is configured */
    static ServiceRuntime start(ServiceConfig config, SchemaRegistry registry, CredentialsFactory awsCredentials) {
        List<SecretsBackend> backends = new ArrayList<>();
        config.filesystem().ifPresent(filesystem -> backends.add(new FilesystemBackend(filesystem)));
        config.aws().ifPresent(aws -> backends.add(new AwsSecretsManagerBackend(aws, awsCredentials)));
        BackendDispatcher dispatcher = new BackendDispatcher(backends);
        LifecycleTopology.Settings topology = new LifecycleTopology.Settings(config.topics(), config.policy(),
                PlatformRouting.defaults(dispatcher.names()), config.punctuationInterval(),
                config.autoRegisterSchemas(), Clock.systemUTC());
        LifecycleService service = LifecycleService.start(new LifecycleService.Settings(config.applicationId(),
                config.bootstrapServers(), config.kafka(), config.stateDirectory(), topology), registry, dispatcher);
        try {
            AdminServer admin = AdminServer.start(new InetSocketAddress(config.adminHost(), config.adminPort()), () -> service);
            return new ServiceRuntime(service, admin);
        } catch (IOException e) {
            service.close();
            throw new UncheckedIOException("cannot serve admin HTTP on " + config.adminHost() + ":" + config.adminPort()
                    + " (admin.port): " + e.getMessage(), e);
        }
    }

    /** Waits until the Streams applications run, or fails saying in which state they are. */
    void awaitReady(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!service.ready()) {
            if (System.nanoTime() > deadline) {
                throw new io.pipelinesecrets.lifecycle.service.StartupException(
                        "the service did not become ready within " + timeout + ": " + service.describeState());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.pipelinesecrets.lifecycle.service.StartupException("interrupted while starting", e);
            }
        }
    }

    LifecycleService service() {
        return service;
    }

    int adminPort() {
        return admin.port();
    }

    @Override
    public void close() {
        admin.close();
        service.close();
    }
}
