package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.RecordingCredentials;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackend;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSourceForTests;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretManagerBackend;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.reconcile.AuditTopicWriter;
import io.pipelinesecrets.lifecycle.reconcile.ReconcileReport;
import io.pipelinesecrets.lifecycle.reconcile.Reconciler;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The reconciler against the real service's run-state changelog, the filesystem backend and Secrets Manager
 * (the double, through the SDK): leftovers of runs that are over or unknown are deleted with an ORPHAN_DELETED
 * audit event each, what a run in progress holds stays, and nothing without the managed-by mark is touched.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReconcilerIntegrationTest {

    private static final String INSTANCE = "it-reconcile";
    private static final String REGION = "us-east-1";

    private final SecretsManagerDouble sm = SecretsManagerDouble.start();
    private ServiceHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        sm.close();
    }

    @Test
    void shouldDeleteLeftoversOfRunsThatAreOverOrUnknownAndNothingElse(TestKafka kafka, @TempDir Path work) throws Exception {
        harness = ServiceHarness.startDeployed(kafka, work, deployment -> List.<SecretsBackend>of(aws(deployment)));
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "reconcile-canary").build());
        harness.launch(Events.launched("run-active").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
        harness.launch(Events.launched("run-active-aws").setComputeEnv(Events.awsBatch(REGION)).build());
        harness.launch(Events.launched("run-done").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
        harness.awaitAction("run-done", AuditAction.SECRETS_PROVISIONED);
        harness.complete(Events.completed("run-done").build());
        harness.awaitAction("run-done", AuditAction.SECRETS_RELEASED);
        harness.awaitAction("run-active", AuditAction.SECRETS_PROVISIONED);
        harness.awaitAction("run-active-aws", AuditAction.SECRETS_PROVISIONED);

        // Leftovers the lifecycle cannot know of: written with the service's mark, for runs that are over or unknown.
        List<Secret> leftover = List.of(new Secret(Scope.WORKSPACE, Events.WORKSPACE, "LEFT", 1, SecretValue.of("x")));
        FilesystemBackendConfig filesystemConfig = harness.filesystemConfig();
        try (FilesystemBackend planter = new FilesystemBackend(filesystemConfig);
             AwsSecretsManagerBackend awsPlanter = aws(harness.deployment())) {
            planter.provision(target("run-done", null), leftover).get(10, TimeUnit.SECONDS);
            planter.provision(target("run-ghost", null), leftover).get(10, TimeUnit.SECONDS);
            awsPlanter.provision(target("run-ghost-aws", REGION), leftover).get(10, TimeUnit.SECONDS);
        }
        Path unmarked = Files.createDirectories(harness.secretsRoot().resolve("run-by-hand"));
        Files.writeString(unmarked.resolve("store.json"), "[]");
        try (SecretsManagerClient platform = client()) {
            platform.createSecret(r -> r.name("tower-run-foreign/X").secretString("x")
                    .tags(t -> t.key("managed-by").value("someone-else"), t -> t.key("run-id").value("run-foreign")));
        }

        List<SecretsBackend> backends = List.of(new FilesystemBackend(filesystemConfig), aws(harness.deployment()));
        RunStateChangelog changelog = new RunStateChangelog(harness.applicationId(),
                Map.of("bootstrap.servers", kafka.bootstrapServers()), Duration.ofSeconds(30));
        try (AuditTopicWriter audit = new AuditTopicWriter(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                harness.topics().audit(), harness.registry(), true, Clock.systemUTC())) {
            Reconciler reconciler = new Reconciler(backends, changelog::readAll, audit, Duration.ofMillis(1),
                    Clock.systemUTC());

            ReconcileReport dryRun = reconciler.reconcile(true);

            assertThat(dryRun.lines()).extracting(ReconcileReport.Line::runId, ReconcileReport.Line::reason,
                    ReconcileReport.Line::action).containsExactlyInAnyOrder(
                    tuple("run-active", "RUN_IN_PROGRESS", "kept"),
                    tuple("run-done", "RUN_RELEASED", "would delete"),
                    tuple("run-ghost", "RUN_UNKNOWN", "would delete"),
                    tuple("run-active-aws", "RUN_IN_PROGRESS", "kept"),
                    tuple("run-ghost-aws", "RUN_UNKNOWN", "would delete"));
            assertThat(harness.secretsRoot().resolve("run-ghost")).exists();

            ReconcileReport done = reconciler.reconcile(false);

            assertThat(done.count("deleted")).isEqualTo(3);
            assertThat(done.anyFailed()).isFalse();
        } finally {
            backends.forEach(SecretsBackend::close);
        }

        List<AuditEvent> orphans = harness.awaitAudit("3 ORPHAN_DELETED", events -> events.stream()
                .filter(e -> e.getAction() == AuditAction.ORPHAN_DELETED).count() == 3).stream()
                .filter(e -> e.getAction() == AuditAction.ORPHAN_DELETED).toList();
        assertThat(orphans).extracting(AuditEvent::getRunId, AuditEvent::getReason, AuditEvent::getBackend)
                .containsExactlyInAnyOrder(
                        tuple("run-done", "RUN_RELEASED", "filesystem"),
                        tuple("run-ghost", "RUN_UNKNOWN", "filesystem"),
                        tuple("run-ghost-aws", "RUN_UNKNOWN", "aws-secretsmanager"));
        assertThat(harness.secretsRoot().resolve("run-ghost")).doesNotExist();
        assertThat(harness.secretsRoot().resolve("run-done")).doesNotExist();
        assertThat(harness.storeFile("run-active")).exists();
        assertThat(unmarked.resolve("store.json")).as("unmarked: never touched").exists();
        assertThat(sm.liveSecretNames()).containsExactlyInAnyOrder("tower-run-active-aws/DB_PASSWORD",
                "tower-run-foreign/X");
    }

    /**
     * Two deployments that took the same defaults (one instance id, one AWS account, one shared root) but run on
     * different applications: each one's reconciler sees the other's live runs as unknown, and before deployments
     * were told apart it deleted them.
     */
    @Test
    void shouldNeverDeleteWhatAnotherDeploymentOfTheSameNameHolds(TestKafka kafka, @TempDir Path work) throws Exception {
        harness = ServiceHarness.startDeployed(kafka, work, deployment -> List.<SecretsBackend>of(aws(deployment)));
        harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "neighbour-canary").build());
        harness.launch(Events.launched("run-live").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
        harness.launch(Events.launched("run-live-aws").setComputeEnv(Events.awsBatch(REGION)).build());
        harness.awaitAction("run-live", AuditAction.SECRETS_PROVISIONED);
        harness.awaitAction("run-live-aws", AuditAction.SECRETS_PROVISIONED);

        // The neighbour: same instance id, same root, same account; another application, so no run of its own.
        Deployment neighbour = Deployment.of("the-same-cluster-or-another", kafka.uniqueName("neighbour-app"));
        FilesystemBackendConfig neighbourRoot = harness.filesystemConfig().withDeployment(neighbour);
        List<SecretsBackend> backends = List.of(new FilesystemBackend(neighbourRoot), aws(neighbour));
        try {
            Reconciler neighbours = new Reconciler(backends, Map::of, fact -> {
                throw new AssertionError("the neighbour deleted " + fact.backendRef());
            }, Duration.ofMillis(1), Clock.systemUTC());

            ReconcileReport report = neighbours.reconcile(false);

            assertThat(report.lines()).as("the neighbour lists none of our entries").isEmpty();
        } finally {
            backends.forEach(SecretsBackend::close);
        }
        assertThat(harness.storeFile("run-live")).exists();
        assertThat(sm.liveSecretNames()).contains("tower-run-live-aws/DB_PASSWORD");

        // Nor can the neighbour's service adopt or overwrite ours: a launch of the same run id there is refused.
        try (FilesystemBackend neighbourService = new FilesystemBackend(neighbourRoot);
             AwsSecretsManagerBackend neighbourAws = aws(neighbour)) {
            List<Secret> theirs = List.of(new Secret(Scope.WORKSPACE, Events.WORKSPACE, "DB_PASSWORD", 1,
                    SecretValue.of("the-neighbours-value")));
            assertThat(neighbourService.provision(target("run-live", null), theirs).get(10, TimeUnit.SECONDS))
                    .singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                            failed -> assertThat(failed.error().code()).isEqualTo("NOT_OURS"));
            assertThat(neighbourAws.provision(target("run-live-aws", REGION), theirs).get(10, TimeUnit.SECONDS))
                    .singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                            failed -> assertThat(failed.error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER"));
        }
        assertThat(Files.readString(harness.storeFile("run-live"))).contains("neighbour-canary")
                .doesNotContain("the-neighbours-value");
    }

    /**
     * The same on Google Secret Manager: listed by the managed-by and deployment labels across pages, each entry
     * read again and deleted by its etag; the active run's secrets, a foreign secret and a secret of this instance
     * without a deployment mark (which the reconciler cannot tell is its own) stay.
     */
    @Test
    void shouldDeleteGoogleLeftoversOfRunsThatAreOverOrUnknownAndNothingElse(TestKafka kafka, @TempDir Path work)
            throws Exception {
        try (SecretManagerDouble gsm = SecretManagerDouble.start()) {
            harness = ServiceHarness.startDeployed(kafka, work, deployment -> List.<SecretsBackend>of(google(gsm, deployment)));
            harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "reconcile-canary").build());
            harness.launch(Events.launched("run-active-gcp").setComputeEnv(Events.googleBatch("us-central1")).build());
            harness.launch(Events.launched("run-done-gcp").setComputeEnv(Events.googleBatch("us-central1")).build());
            harness.awaitAction("run-done-gcp", AuditAction.SECRETS_PROVISIONED);
            harness.complete(Events.completed("run-done-gcp").build());
            harness.awaitAction("run-done-gcp", AuditAction.SECRETS_RELEASED);
            harness.awaitAction("run-active-gcp", AuditAction.SECRETS_PROVISIONED);

            List<Secret> leftover = List.of(new Secret(Scope.WORKSPACE, Events.WORKSPACE, "LEFT", 1, SecretValue.of("x")));
            try (GoogleSecretManagerBackend planter = google(gsm, harness.deployment());
                 GoogleSecretManagerBackend unmarked = google(gsm, null)) {
                planter.provision(googleTarget("run-done-gcp"), leftover).get(10, TimeUnit.SECONDS);
                planter.provision(googleTarget("run-ghost-gcp"), leftover).get(10, TimeUnit.SECONDS);
                unmarked.provision(googleTarget("run-unmarked-gcp"), leftover).get(10, TimeUnit.SECONDS);
            }
            List<SecretsBackend> backends = List.of(google(gsm, harness.deployment()));
            RunStateChangelog changelog = new RunStateChangelog(harness.applicationId(),
                    Map.of("bootstrap.servers", kafka.bootstrapServers()), Duration.ofSeconds(30));
            try (AuditTopicWriter audit = new AuditTopicWriter(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    harness.topics().audit(), harness.registry(), true, Clock.systemUTC())) {
                Reconciler reconciler = new Reconciler(backends, changelog::readAll, audit, Duration.ofMillis(1),
                        Clock.systemUTC());

                ReconcileReport done = reconciler.reconcile(false);

                assertThat(done.lines()).extracting(ReconcileReport.Line::runId, ReconcileReport.Line::reason,
                        ReconcileReport.Line::action).containsExactlyInAnyOrder(
                        tuple("run-active-gcp", "RUN_IN_PROGRESS", "kept"),
                        tuple("run-done-gcp", "RUN_RELEASED", "deleted"),
                        tuple("run-ghost-gcp", "RUN_UNKNOWN", "deleted"));
                assertThat(done.anyFailed()).isFalse();
            } finally {
                backends.forEach(SecretsBackend::close);
            }
            List<AuditEvent> orphans = harness.awaitAudit("2 ORPHAN_DELETED", events -> events.stream()
                    .filter(e -> e.getAction() == AuditAction.ORPHAN_DELETED).count() == 2).stream()
                    .filter(e -> e.getAction() == AuditAction.ORPHAN_DELETED).toList();
            assertThat(orphans).extracting(AuditEvent::getRunId, AuditEvent::getBackend).containsExactlyInAnyOrder(
                    tuple("run-done-gcp", "google-secretmanager"), tuple("run-ghost-gcp", "google-secretmanager"));
            assertThat(gsm.state().secrets().keySet()).containsExactlyInAnyOrder(
                    "projects/tower-reconcile/secrets/tower-run-active-gcp-DB_PASSWORD",
                    "projects/tower-reconcile/secrets/tower-run-unmarked-gcp-LEFT");
        }
    }

    private static GoogleSecretManagerBackend google(SecretManagerDouble gsm, Deployment deployment) {
        return new GoogleSecretManagerBackend(new GoogleBackendConfig(INSTANCE, new GoogleEnvironmentSettings(
                new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), false, "tower-reconcile", null, null), Map.of(),
                Set.of("tower-reconcile"), Set.of(), Set.of(), false, 60_000, 60_000, Duration.ofDays(3), LeasePolicy.NONE,
                URI.create("http://" + gsm.endpoint()), Duration.ofSeconds(10), deployment),
                GoogleCredentialsSourceForTests.NONE);
    }

    private static RunTarget googleTarget(String runId) {
        return new RunTarget(runId, Events.WORKSPACE, Events.USER, "ce-google", "google-batch", null, null, null);
    }

    private AwsSecretsManagerBackend aws(Deployment deployment) {
        return new AwsSecretsManagerBackend(new AwsBackendConfig(INSTANCE, AwsEnvironmentSettings.DEFAULTS, Map.of(),
                Set.of(REGION), Set.of(), null, 200, URI.create(sm.endpoint()), Duration.ofSeconds(20))
                .withDeployment(deployment),
                new RecordingCredentials());
    }

    private RunTarget target(String runId, String region) {
        return new RunTarget(runId, Events.WORKSPACE, Events.USER, "ce-1", region == null ? "slurm" : "aws-batch",
                region, null, region == null ? harness.secretsRoot().toString() : null);
    }

    private SecretsManagerClient client() {
        return SecretsManagerClient.builder().endpointOverride(URI.create(sm.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y"))).build();
    }
}
