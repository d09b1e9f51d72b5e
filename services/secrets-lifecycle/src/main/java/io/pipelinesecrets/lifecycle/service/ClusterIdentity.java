package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Which deployment this process belongs to: its Kafka cluster's id with its application id ({@link Deployment}). */
public final class ClusterIdentity {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ClusterIdentity() {
    }

    public static Deployment deploymentOf(ServiceConfig config) {
        try (Admin admin = Admin.create(KafkaClientSettings.admin(KafkaClientSettings.of(config)))) {
            return deploymentOf(admin, config.applicationId(), config.bootstrapServers());
        }
    }

    /** @param where how the cluster was reached, for the messages */
    public static Deployment deploymentOf(Admin admin, String applicationId, String where) {
        try {
            String clusterId = admin.describeCluster().clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (clusterId == null || clusterId.isBlank()) {
                throw new StartupException("the Kafka cluster at " + where + " reports no cluster id; the service needs"
                        + " one to mark what it creates as this deployment's");
            }
            return Deployment.of(clusterId, applicationId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while asking Kafka for its cluster id", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot ask the Kafka cluster at " + where + " for its id"
                    + " (is Kafka reachable?): " + e.getMessage(), e);
        }
    }
}
