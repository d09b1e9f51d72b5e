package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.admin.AdminServer;
import io.pipelinesecrets.lifecycle.admin.ServiceView;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.CredentialsFactory;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.metrics.LifecycleMetrics;
import io.pipelinesecrets.lifecycle.metrics.ServiceMetrics;
import io.pipelinesecrets.lifecycle.reconcile.AuditTopicWriter;
import io.pipelinesecrets.lifecycle.reconcile.PeriodicReconciler;
import io.pipelinesecrets.lifecycle.reconcile.Reconciler;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.service.KafkaClientSettings;
import io.pipelinesecrets.lifecycle.service.LifecycleService;
import io.pipelinesecrets.lifecycle.topology.BackendDispatcher;
import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import io.pipelinesecrets.lifecycle.topology.PlatformRouting;
import io.pipelinesecrets.serde.registry.SchemaRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Assembles the service from its configuration — backends, metrics, topology settings, admin HTTP — for `run`
 * and for `dev` (public because `dev` lives in secrets-lifecycle-dev, which keeps the broker out of this jar).
 * Admin HTTP starts first, so that health answers 503 and metrics answer while the service checks its topics and
 * its Streams applications join their groups.
 */
public final class ServiceRuntime implements AutoCloseable {

    private final LifecycleService service;
    private final AdminServer admin;
    private final ServiceMetrics metrics;
    private final Optional<Reconciling> reconciling;

    private ServiceRuntime(LifecycleService service, AdminServer admin, ServiceMetrics metrics,
                           Optional<Reconciling> reconciling) {
        this.reconciling = reconciling;
        this.service = service;
        this.admin = admin;
        this.metrics = metrics;
    }

    public static ServiceRuntime start(ServiceConfig config, SchemaRegistry registry) {
        return start(config, registry, ConfiguredBackends.standardCredentials(config));
    }

    /** @param awsCredentials where AWS credentials come from, when the AWS backend is configured */
    public static ServiceRuntime start(ServiceConfig config, SchemaRegistry registry, CredentialsFactory awsCredentials) {
        List<SecretsBackend> backends = ConfiguredBackends.create(config, awsCredentials);
        ServiceMetrics metrics = ServiceMetrics.create(Clock.systemUTC());
        BackendDispatcher dispatcher = new BackendDispatcher(backends, metrics.lifecycle());
        metrics.withBackends(List.copyOf(dispatcher.names()));
        LifecycleTopology.Settings topology = new LifecycleTopology.Settings(config.topics(), config.policy(),
                PlatformRouting.defaults(dispatcher.names()), config.punctuationInterval(),
                config.autoRegisterSchemas(), Clock.systemUTC(), metrics.lifecycle());
        AtomicReference<ServiceView> started = new AtomicReference<>();
        AdminServer admin;
        try {
            admin = AdminServer.start(new InetSocketAddress(config.adminHost(), config.adminPort()),
                    started::get, metrics, config.adminAccess());
        } catch (IOException e) {
            dispatcher.close();
            metrics.close();
            throw new UncheckedIOException("cannot serve admin HTTP on " + config.adminHost() + ":" + config.adminPort()
                    + " (admin.port): " + e.getMessage(), e);
        }
        try {
            LifecycleService service = LifecycleService.start(new LifecycleService.Settings(config.applicationId(),
                    config.bootstrapServers(), config.kafka(), config.stateDirectory(), topology), registry, dispatcher,
                    metrics::bindStreams);
            started.set(ServiceView.of(service));
            metrics.runs().countRunsOf(service::forEachLocalRun);
            return new ServiceRuntime(service, admin, metrics,
                    reconcilerOf(config, registry, backends, metrics.lifecycle(), service));
        } catch (RuntimeException e) {
            admin.close();
            dispatcher.close();
            metrics.close();
            throw e;
        }
    }

    /** The periodic reconciler when {@code reconcile.interval} is set: on the instance holding the first task. */
    private static Optional<Reconciling> reconcilerOf(ServiceConfig config, SchemaRegistry registry,
                                                      List<SecretsBackend> backends, LifecycleMetrics metrics,
                                                      LifecycleService service) {
        if (!config.reconcile().periodic()) {
            return Optional.empty();
        }
        AuditTopicWriter audit = new AuditTopicWriter(KafkaClientSettings.of(config), config.topics().audit(), registry,
                config.autoRegisterSchemas(), Clock.systemUTC());
        RunStateChangelog changelog = RunStateChangelog.of(config, Duration.ofMinutes(2));
        Reconciler reconciler = new Reconciler(backends, changelog::readAll, fact -> {
            audit.accept(fact);
            metrics.orphanDeleted(fact.backend());
        }, config.reconcile().grace(), Clock.systemUTC());
        return Optional.of(new Reconciling(new PeriodicReconciler(reconciler, config.reconcile().interval(),
                service::holdsFirstTask), audit));
    }

    /** The periodic reconciler and the producer it writes audit events with, closed together. */
    private record Reconciling(PeriodicReconciler schedule, AuditTopicWriter audit) implements AutoCloseable {
        @Override
        public void close() {
            schedule.close();
            audit.close();
        }
    }

    /** Waits until the Streams applications run, or fails saying in which state they are. */
    public void awaitReady(java.time.Duration timeout) {
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

    public int adminPort() {
        return admin.port();
    }

    /** The lifecycle meters, e.g. for the reconciler's {@code orphanDeleted}. */
    LifecycleMetrics metrics() {
        return metrics.lifecycle();
    }

    @Override
    public void close() {
        reconciling.ifPresent(Reconciling::close);
        admin.close();
        service.close();
        metrics.close();
    }
}
