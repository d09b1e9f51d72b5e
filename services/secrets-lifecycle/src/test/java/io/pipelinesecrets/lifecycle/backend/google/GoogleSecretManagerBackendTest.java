package io.pipelinesecrets.lifecycle.backend.google;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
import io.pipelinesecrets.testing.gcp.SecretManagerState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend against the wire-level Secret Manager double, through the real client library over gRPC, without
 * Kafka. One double serves the class; every test uses run ids of its own, and the faults are cleared after each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoogleSecretManagerBackendTest {

    private static final String CANARY = "canary-google-7c1d";
    private static final String PROJECT = "tower-prod-1";
    private static final String OTHER_PROJECT = "tenant-b-proj";
    private static final String SERVICE_ACCOUNT = "tower-secrets@tower-prod-1.iam.gserviceaccount.com";
    private static final Deployment DEPLOYMENT = Deployment.of("cluster-1", "secrets-lifecycle");

    private final SecretManagerDouble sm = SecretManagerDouble.start();
    private final GoogleSecretManagerBackend backend = backend(false, LeasePolicy.NONE);
    private final GoogleSecretManagerBackend bundling = backend(true, LeasePolicy.NONE);
    private final GoogleSecretManagerBackend leased = backend(false, new LeasePolicy(Duration.ofHours(6), Map.of()));
    private final ManagedChannel channel = ManagedChannelBuilder.forTarget(sm.endpoint()).usePlaintext().build();
    private final SecretManagerServiceClient direct = directClient();

    @AfterEach
    void clearFaults() {
        sm.faults().clear();
        sm.quotas().off();
    }

    @AfterAll
    void stop() {
        backend.close();
        bundling.close();
        leased.close();
        direct.close();
        channel.shutdownNow();
        sm.close();
    }

    @Test
    void shouldCreateOneLabelledExpiringSecretPerNameWithTheValueAsItsVersion() {
        List<SecretOutcome> outcomes = backend.provision(run("run-create"), secrets()).join();

        assertThat(outcomes).extracting(o -> ((SecretOutcome.Created) o).backendRef()).containsExactly(
                "projects/tower-prod-1/secrets/tower-run-create-DB_PASSWORD",
                "projects/tower-prod-1/secrets/tower-run-create-API_TOKEN");
        SecretManagerState.Held held = sm.state().secret("projects/tower-prod-1/secrets/tower-run-create-DB_PASSWORD")
                .orElseThrow();
        assertThat(held.versions()).hasSize(1);
        assertThat(held.latest().orElseThrow().toStringUtf8()).isEqualTo(CANARY);
        assertThat(held.secret().getLabelsMap()).containsEntry("managed-by", "instance-a")
                .containsEntry("run-id", "run-create").containsEntry("workspace-id", "ws-1")
                .containsEntry("user-id", "alice").containsEntry("scope", "workspace")
                .containsEntry("deployment", DEPLOYMENT.mark());
        assertThat(held.secret().hasReplication()).isTrue();
        assertThat(expiry(held.secret())).isBetween(Instant.now().plus(Duration.ofDays(3)).minusSeconds(60),
                Instant.now().plus(Duration.ofDays(3)));
        assertThat(sm.state().secret("projects/tower-prod-1/secrets/tower-run-create-API_TOKEN").orElseThrow()
                .secret().getLabelsMap()).containsEntry("scope", "user");
    }

    @Test
    void shouldExpireASecretWithItsRunsLeaseWhenOneApplies() {
        leased.provision(run("run-leased"), secrets()).join();

        Secret secret = sm.state().secret("projects/tower-prod-1/secrets/tower-run-leased-API_TOKEN").orElseThrow().secret();
        assertThat(expiry(secret)).isBetween(Instant.now().plus(Duration.ofHours(6)).minusSeconds(60),
                Instant.now().plus(Duration.ofHours(6)));
    }

    @Test
    void shouldAddNoVersionWhenProvisioningIsRepeated() {
        List<SecretOutcome> first = backend.provision(run("run-repeat"), secrets()).join();
        int versionsAdded = sm.state().calls("AddSecretVersion");

        List<SecretOutcome> second = backend.provision(run("run-repeat"), secrets()).join();

        assertThat(second).isEqualTo(first);
        assertThat(sm.state().calls("AddSecretVersion")).isEqualTo(versionsAdded);
        assertThat(sm.state().secret("projects/tower-prod-1/secrets/tower-run-repeat-DB_PASSWORD").orElseThrow()
                .versions()).hasSize(1);
    }

    @Test
    void shouldAddTheValueToItsOwnSecretLeftWithoutAVersionByACrash() {
        createDirectly("tower-run-crashed-DB_PASSWORD", Map.of("managed-by", "instance-a", "run-id", "run-crashed",
                "deployment", DEPLOYMENT.mark()));

        List<SecretOutcome> outcomes = backend.provision(run("run-crashed"), secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
        assertThat(sm.state().secret("projects/tower-prod-1/secrets/tower-run-crashed-DB_PASSWORD").orElseThrow()
                .latest().orElseThrow().toStringUtf8()).isEqualTo(CANARY);
    }

    @Test
    void shouldAddANewVersionWhenTheValueChanged() {
        backend.provision(run("run-rotated"), secrets()).join();
        List<io.pipelinesecrets.lifecycle.secrets.Secret> changed = List.of(new io.pipelinesecrets.lifecycle.secrets.Secret(
                Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 2, SecretValue.of("rotated-value")));

        assertThat(backend.provision(run("run-rotated"), changed).join()).singleElement()
                .isInstanceOf(SecretOutcome.Created.class);

        SecretManagerState.Held held = sm.state().secret("projects/tower-prod-1/secrets/tower-run-rotated-DB_PASSWORD")
                .orElseThrow();
        assertThat(held.versions()).hasSize(2);
        assertThat(held.latest().orElseThrow().toStringUtf8()).isEqualTo("rotated-value");
    }

    @Test
    void shouldConvergeOnOneVersionWhenAnswersAreLostAfterGoogleAppliedTheCalls() {
        sm.faults().loseAnswers("CreateSecret", 1).loseAnswers("AddSecretVersion", 1);
        List<SecretOutcome> first = backend.provision(run("run-lost"), secrets()).join();
        List<SecretOutcome> retried = backend.provision(run("run-lost"), secrets()).join();
        List<SecretManagerState.Held> held = List.of("DB_PASSWORD", "API_TOKEN").stream().map(name -> sm.state()
                .secret("projects/tower-prod-1/secrets/tower-run-lost-" + name).orElseThrow()).toList();
        sm.faults().loseAnswers("DeleteSecret", 1);
        List<StoredSecret> manifest = retried.stream().map(o -> new StoredSecret(o.name(),
                ((SecretOutcome.Created) o).backendRef())).toList();
        List<SecretOutcome> releasedFirst = backend.release(run("run-lost"), manifest).join();
        List<SecretOutcome> releasedAgain = backend.release(run("run-lost"), manifest).join();

        assertThat(first).filteredOn(o -> o instanceof SecretOutcome.Failed).hasSize(2);
        assertThat(retried).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
        assertThat(held).as("one version each, holding the value").allSatisfy(h -> assertThat(h.versions()).hasSize(1));
        assertThat(held.get(0).latest().orElseThrow().toStringUtf8()).isEqualTo(CANARY);
        assertThat(List.of("DB_PASSWORD", "API_TOKEN")).allSatisfy(name -> assertThat(sm.state()
                .secrets().keySet()).doesNotContain("projects/tower-prod-1/secrets/tower-run-lost-" + name));
        assertThat(releasedFirst).filteredOn(o -> o instanceof SecretOutcome.Failed).hasSize(1);
        assertThat(releasedAgain).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Deleted.class));
    }

    @Test
    void shouldNeverAdoptOrTouchASecretThatIsNotThisRunsOwn() {
        createDirectly("tower-run-foreign-DB_PASSWORD", Map.of("managed-by", "someone-else", "run-id", "run-foreign"));
        createDirectly("tower-run-foreign-API_TOKEN", Map.of("managed-by", "instance-a", "run-id", "run-foreign",
                "deployment", "0123456789abcdef"));

        List<SecretOutcome> outcomes = backend.provision(run("run-foreign"), secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error().code())
                .isEqualTo("NAME_OWNED_BY_ANOTHER"));
        assertThat(sm.state().secret("projects/tower-prod-1/secrets/tower-run-foreign-DB_PASSWORD").orElseThrow()
                .versions()).isEmpty();
        assertThat(sm.state().secret("projects/tower-prod-1/secrets/tower-run-foreign-API_TOKEN").orElseThrow()
                .versions()).isEmpty();
    }

    @Test
    void shouldDeleteExactlyTheManifestsSecretsAndCountAMissingOneAsDeleted() {
        backend.provision(run("run-release"), secrets()).join();
        backend.provision(run("run-neighbour"), secrets()).join();
        String db = "projects/tower-prod-1/secrets/tower-run-release-DB_PASSWORD";
        String api = "projects/tower-prod-1/secrets/tower-run-release-API_TOKEN";
        direct.deleteSecret(api);

        List<SecretOutcome> outcomes = backend.release(run("run-release"),
                List.of(new StoredSecret("DB_PASSWORD", db), new StoredSecret("API_TOKEN", api))).join();

        assertThat(outcomes).containsExactly(new SecretOutcome.Deleted("DB_PASSWORD", db),
                new SecretOutcome.Deleted("API_TOKEN", api));
        assertThat(sm.state().secret(db)).isEmpty();
        assertThat(sm.state().secrets().keySet()).contains(
                "projects/tower-prod-1/secrets/tower-run-neighbour-DB_PASSWORD",
                "projects/tower-prod-1/secrets/tower-run-neighbour-API_TOKEN");
    }

    @Test
    void shouldDeleteAnUnconfirmedEntryOnlyWhenItsSecretCarriesThisRunsMark() {
        createDirectly("tower-run-unconfirmed-DB_PASSWORD", Map.of("managed-by", "someone-else", "run-id", "run-unconfirmed"));
        createDirectly("tower-run-unconfirmed-API_TOKEN", Map.of("managed-by", "instance-a", "run-id", "run-unconfirmed",
                "deployment", DEPLOYMENT.mark()));

        // No recorded name: the creates' answers never came, so the manifest holds only the names.
        List<SecretOutcome> outcomes = backend.release(run("run-unconfirmed"),
                List.of(new StoredSecret("DB_PASSWORD", null), new StoredSecret("API_TOKEN", null))).join();

        assertThat(((SecretOutcome.Failed) outcomes.get(0)).error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER");
        assertThat(outcomes.get(1)).isInstanceOf(SecretOutcome.Deleted.class);
        assertThat(sm.state().secrets().keySet()).contains("projects/tower-prod-1/secrets/tower-run-unconfirmed-DB_PASSWORD")
                .doesNotContain("projects/tower-prod-1/secrets/tower-run-unconfirmed-API_TOKEN");
    }

    @Test
    void shouldListARunWhoseIdOnlyFitsALabelAsAHashByItsAnnotation() {
        String longRunId = "Run-" + "x".repeat(60);
        backend.provision(run(longRunId), secrets()).join();
        Secret stored = sm.state().secret("projects/tower-prod-1/secrets/tower-" + longRunId + "-DB_PASSWORD").orElseThrow()
                .secret();
        assertThat(stored.getLabelsMap().get("run-id")).startsWith("h-");

        List<OwnedEntry> listed = backend.listOwned().join().stream().filter(e -> e.runId().equals(longRunId)).toList();

        assertThat(listed).hasSize(2);
        assertThat(backend.deleteOwned(listed.get(0)).join()).isInstanceOf(SecretOutcome.Deleted.class);
        backend.deleteOwned(listed.get(1)).join();
    }

    @Test
    void shouldListOnlyWhereTheConfigurationWritesWithThatPlacesIdentity() {
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        GoogleCredentialsSource recording = GoogleCredentialsSourceForTests.recording(asked);
        GoogleBackendConfig tenants = new GoogleBackendConfig("instance-a", defaults(false), Map.of("ce-tenant-b",
                new GoogleEnvironmentSettings(new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), false, OTHER_PROJECT,
                        "europe-west4", SERVICE_ACCOUNT)), Set.of(PROJECT, OTHER_PROJECT, "unused-project"),
                Set.of("europe-west4"), Set.of(SERVICE_ACCOUNT), false, 60_000, 60_000, Duration.ofDays(3),
                LeasePolicy.NONE, URI.create("https://" + sm.endpoint()), Duration.ofSeconds(2), DEPLOYMENT);

        assertThat(tenants.placesWritten()).extracting(GoogleEnvironmentSettings::parent,
                GoogleEnvironmentSettings::serviceAccount).containsExactly(
                org.assertj.core.groups.Tuple.tuple("projects/tower-prod-1", null),
                org.assertj.core.groups.Tuple.tuple("projects/tenant-b-proj/locations/europe-west4", SERVICE_ACCOUNT));
        GoogleSecretManagerBackend listing = new GoogleSecretManagerBackend(tenants, recording);
        try {
            listing.listOwned().exceptionally(failure -> null).join();
            assertThat(asked).containsExactlyInAnyOrder("own", SERVICE_ACCOUNT, "own");
        } finally {
            listing.close();
        }
    }

    @Test
    void shouldRefuseToDeleteANameOutsideTheAllowedProjects() {
        List<SecretOutcome> outcomes = backend.release(run("run-elsewhere"), List.of(new StoredSecret("DB_PASSWORD",
                "projects/unlisted-proj/secrets/tower-run-elsewhere-DB_PASSWORD"))).join();

        assertThat(outcomes).singleElement().satisfies(o -> assertThat(((SecretOutcome.Failed) o).error())
                .extracting(BackendError::code, BackendError::kind)
                .containsExactly("PROJECT_NOT_ALLOWED", BackendError.Kind.PERMANENT));
    }

    @Test
    void shouldWriteABundleAsOneJsonSecretAndDeleteItOnce() throws IOException {
        List<SecretOutcome> outcomes = bundling.provision(run("run-bundle"), secrets()).join();

        String bundle = "projects/tower-prod-1/secrets/tower-run-bundle";
        assertThat(outcomes).extracting(o -> ((SecretOutcome.Created) o).backendRef()).containsOnly(bundle);
        Map<String, Object> content = new ObjectMapper().readValue(sm.state().secret(bundle).orElseThrow().latest().orElseThrow()
                .toByteArray(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertThat(content).containsEntry("DB_PASSWORD", CANARY).containsEntry("API_TOKEN", "token-1");
        assertThat(sm.state().secret(bundle).orElseThrow().secret().getLabelsMap()).containsEntry("scope", "bundle");
        int deletes = sm.state().calls("DeleteSecret");

        List<SecretOutcome> released = bundling.release(run("run-bundle"),
                List.of(new StoredSecret("DB_PASSWORD", bundle), new StoredSecret("API_TOKEN", bundle))).join();

        assertThat(released).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Deleted.class)).hasSize(2);
        assertThat(sm.state().calls("DeleteSecret")).isEqualTo(deletes + 1);
        assertThat(sm.state().secret(bundle)).isEmpty();
    }

    @Test
    void shouldSortGoogleAnswersIntoRetryableAndPermanentFailuresWithoutTheValue() {
        sm.faults().failNext("CreateSecret", Status.Code.RESOURCE_EXHAUSTED, 2);
        List<SecretOutcome> throttled = backend.provision(run("run-throttled"), secrets()).join();
        sm.faults().clear().failNext("CreateSecret", Status.Code.UNAVAILABLE, 2);
        List<SecretOutcome> unavailable = backend.provision(run("run-unavailable"), secrets()).join();
        sm.faults().clear().denyProject(PROJECT);
        List<SecretOutcome> denied = backend.provision(run("run-denied"), secrets()).join();

        assertThat(throttled).allSatisfy(o -> {
            BackendError error = ((SecretOutcome.Failed) o).error();
            assertThat(error.code()).isEqualTo("RESOURCE_EXHAUSTED");
            assertThat(error.kind()).isEqualTo(BackendError.Kind.RETRYABLE);
            assertThat(backend.isThrottling(error)).isTrue();
        });
        assertThat(unavailable).allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error())
                .extracting(BackendError::code, BackendError::kind)
                .containsExactly("UNAVAILABLE", BackendError.Kind.RETRYABLE));
        assertThat(denied).allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error())
                .extracting(BackendError::code, BackendError::kind)
                .containsExactly("PERMISSION_DENIED", BackendError.Kind.PERMANENT));
        assertThat(List.of(throttled, unavailable, denied).toString()).doesNotContain(CANARY);
    }

    @Test
    void shouldFailAComputeEnvironmentWithoutAProjectBeforeAnyCall() {
        GoogleSecretManagerBackend required = new GoogleSecretManagerBackend(config(false, LeasePolicy.NONE, true),
                GoogleCredentialsSourceForTests.NONE);
        try {
            int creates = sm.state().calls("CreateSecret");

            List<SecretOutcome> outcomes = required.provision(run("run-unbound"), secrets()).join();

            assertThat(outcomes).allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error().code())
                    .isEqualTo("PROJECT_MISSING"));
            assertThat(sm.state().calls("CreateSecret")).isEqualTo(creates);
            assertThat(required.provision(new RunTarget("run-bound", "ws-1", "alice", "ce-pinned", "google-batch",
                    null, null, null), secrets()).join()).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
        } finally {
            required.close();
        }
    }

    @Test
    void shouldRefuseALaunchThatNamesAnIdentityItsComputeEnvironmentIsNotBoundTo() {
        RunTarget steering = new RunTarget("run-steer", "ws-1", "alice", "ce-google", "google-batch", null,
                "attacker@evil-project.iam.gserviceaccount.com", null);

        assertThat(backend.provision(steering, secrets()).join()).allSatisfy(o -> assertThat(
                ((SecretOutcome.Failed) o).error().code()).isEqualTo("SERVICE_ACCOUNT_NOT_ALLOWED"));
    }

    @Test
    void shouldWriteRegionalSecretsWithoutReplicationWhenTheComputeEnvironmentIsPinned() {
        List<SecretOutcome> outcomes = backend.provision(new RunTarget("run-pinned", "ws-1", "alice", "ce-pinned",
                "google-batch", "us-central1", null, null), secrets()).join();

        String name = "projects/tower-prod-1/locations/europe-west4/secrets/tower-run-pinned-DB_PASSWORD";
        assertThat(outcomes.get(0)).isEqualTo(new SecretOutcome.Created("DB_PASSWORD", name));
        assertThat(sm.state().secret(name).orElseThrow().secret().hasReplication()).isFalse();
        assertThat(backend.release(new RunTarget("run-pinned", "ws-1", "alice", "ce-pinned", "google-batch", null, null,
                null), List.of(new StoredSecret("DB_PASSWORD", name))).join()).singleElement()
                .isInstanceOf(SecretOutcome.Deleted.class);
        assertThat(sm.state().secret(name)).isEmpty();
    }

    @Test
    void shouldMakeNoCallForAWithdrawnProvisioning() {
        CallFence fence = CallFence.open();
        fence.withdraw("deadline passed");
        int creates = sm.state().calls("CreateSecret");

        List<SecretOutcome> outcomes = backend.provision(run("run-withdrawn"), secrets(), fence).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error().code())
                .isEqualTo(CallFence.WITHDRAWN));
        assertThat(sm.state().calls("CreateSecret")).isEqualTo(creates);
    }

    @Test
    void shouldListItsOwnSecretsAcrossPagesAndDeleteOnlyWhatStillCarriesItsMark() {
        IntStream.range(0, 260).forEach(i -> bundling.provision(run("run-orphan-" + i), secrets()).join());
        createDirectly("tower-run-unmarked", Map.of("managed-by", "instance-a", "run-id", "run-unmarked"));

        List<OwnedEntry> owned = backend.listOwned().join().stream()
                .filter(entry -> entry.runId().startsWith("run-orphan-")).toList();

        assertThat(owned).hasSize(260);
        assertThat(sm.state().calls("ListSecrets")).isGreaterThanOrEqualTo(2);
        OwnedEntry first = owned.get(0);
        assertThat(backend.deleteOwned(first).join()).isEqualTo(new SecretOutcome.Deleted(first.ref(), first.ref()));
        assertThat(sm.state().secret(first.ref())).isEmpty();
        assertThat(backend.deleteOwned(first).join()).isInstanceOf(SecretOutcome.Deleted.class);
        assertThat(backend.listOwned().join()).extracting(OwnedEntry::runId).doesNotContain("run-unmarked");
        owned.forEach(entry -> backend.deleteOwned(entry).join());
    }

    @Test
    void shouldStayUnderTheWriteQuotaItIsConfiguredFor() {
        sm.quotas().limit(20, 0, Duration.ofSeconds(2));
        GoogleSecretManagerBackend paced = new GoogleSecretManagerBackend(new GoogleBackendConfig("instance-a",
                defaults(false), Map.of(), Set.of(PROJECT), Set.of(), Set.of(), false, 540, 540,
                Duration.ofDays(3), LeasePolicy.NONE, URI.create("http://" + sm.endpoint()), Duration.ofSeconds(10),
                DEPLOYMENT), GoogleCredentialsSourceForTests.NONE);
        try {
            List<SecretOutcome> outcomes = IntStream.range(0, 6).mapToObj(i -> paced.provision(run("run-paced-" + i),
                    secrets())).toList().stream().flatMap(f -> f.join().stream()).toList();

            // 6 runs x 2 secrets x 2 writes = 24 writes at 9 a second: never 20 in any 2 seconds.
            assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
            assertThat(sm.quotas().refused()).isZero();
        } finally {
            paced.close();
        }
    }

    @Test
    void shouldImpersonateOnlyTheServiceAccountTheComputeEnvironmentIsBoundTo() {
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        GoogleCredentialsSource recording = GoogleCredentialsSourceForTests.recording(asked);
        GoogleEnvironmentSettings tenantB = new GoogleEnvironmentSettings(new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE),
                false, OTHER_PROJECT, null, SERVICE_ACCOUNT);
        // TLS towards the plain-text double: every call fails, after the identity was chosen.
        GoogleSecretManagerBackend impersonating = new GoogleSecretManagerBackend(new GoogleBackendConfig("instance-a",
                defaults(false), Map.of("ce-tenant-b", tenantB), Set.of(PROJECT, OTHER_PROJECT), Set.of(),
                Set.of(SERVICE_ACCOUNT), false, 60_000, 60_000, Duration.ofDays(3), LeasePolicy.NONE,
                URI.create("https://" + sm.endpoint()), Duration.ofSeconds(2), DEPLOYMENT), recording);
        try {
            impersonating.provision(new RunTarget("run-b", "ws-b", "bob", "ce-tenant-b", "google-batch", null,
                    SERVICE_ACCOUNT, null), secrets()).join();
            impersonating.provision(new RunTarget("run-b2", "ws-b", "bob", "ce-tenant-b", "google-batch", null, null,
                    null), secrets()).join();
            assertThat(asked).containsExactly(SERVICE_ACCOUNT, "own");
            impersonating.provision(run("run-a"), secrets()).join();

            assertThat(asked).as("one client per identity, the service's own for an unbound compute environment")
                    .containsExactly(SERVICE_ACCOUNT, "own", "own");
            assertThat(impersonating.provision(new RunTarget("run-steer", "ws-a", "alice", "ce-google", "google-batch",
                    null, SERVICE_ACCOUNT, null), secrets()).join()).as("ce-google may not borrow ce-tenant-b's identity")
                    .allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error().code())
                            .isEqualTo("SERVICE_ACCOUNT_NOT_ALLOWED"));
        } finally {
            impersonating.close();
        }
    }

    @Test
    void shouldReportMissingCredentialsAsAFailureNotAnException() {
        GoogleCredentialsSource none = new GoogleCredentialsSource() {
            @Override
            public com.google.auth.Credentials base() {
                throw new java.io.UncheckedIOException("no Application Default Credentials: set"
                        + " GOOGLE_APPLICATION_CREDENTIALS", new IOException("not found"));
            }

            @Override
            public com.google.auth.Credentials impersonating(String serviceAccount) {
                return base();
            }
        };
        GoogleSecretManagerBackend withoutCredentials = new GoogleSecretManagerBackend(new GoogleBackendConfig(
                "instance-a", defaults(false), Map.of(), Set.of(PROJECT), Set.of(), Set.of(), false, 540, 540,
                Duration.ofDays(3), LeasePolicy.NONE, URI.create("https://127.0.0.1:9"), Duration.ofSeconds(2),
                DEPLOYMENT), none);
        try {
            List<SecretOutcome> outcomes = withoutCredentials.provision(run("run-no-adc"), secrets()).join();
            List<OwnedEntry> listed = withoutCredentials.listOwned().exceptionally(failure -> null).join();

            assertThat(outcomes).allSatisfy(o -> assertThat(((SecretOutcome.Failed) o).error())
                    .extracting(BackendError::code, BackendError::kind)
                    .containsExactly("CREDENTIALS_UNAVAILABLE", BackendError.Kind.RETRYABLE));
            assertThat(((SecretOutcome.Failed) outcomes.get(0)).error().message()).contains("GOOGLE_APPLICATION_CREDENTIALS");
            assertThat(listed).as("a listing that cannot start fails its future").isNull();
        } finally {
            withoutCredentials.close();
        }
    }

    private GoogleSecretManagerBackend backend(boolean bundle, LeasePolicy leases) {
        return new GoogleSecretManagerBackend(config(bundle, leases, false), GoogleCredentialsSourceForTests.NONE);
    }

    private GoogleBackendConfig config(boolean bundle, LeasePolicy leases, boolean bindingRequired) {
        GoogleEnvironmentSettings pinned = new GoogleEnvironmentSettings(new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE),
                bundle, PROJECT, "europe-west4", null);
        return new GoogleBackendConfig("instance-a", defaults(bundle), Map.of("ce-pinned", pinned),
                Set.of(PROJECT, OTHER_PROJECT), Set.of("europe-west4"), Set.of(SERVICE_ACCOUNT), bindingRequired,
                60_000, 60_000, Duration.ofDays(3), leases, URI.create("http://" + sm.endpoint()), Duration.ofSeconds(10),
                DEPLOYMENT);
    }

    private static GoogleEnvironmentSettings defaults(boolean bundle) {
        return new GoogleEnvironmentSettings(new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), bundle, PROJECT, null,
                null);
    }

    private static RunTarget run(String runId) {
        return new RunTarget(runId, "ws-1", "alice", "ce-google", "google-batch", "us-central1", null, null);
    }

    private static List<io.pipelinesecrets.lifecycle.secrets.Secret> secrets() {
        return List.of(
                new io.pipelinesecrets.lifecycle.secrets.Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 1, SecretValue.of(CANARY)),
                new io.pipelinesecrets.lifecycle.secrets.Secret(Scope.USER, "alice", "API_TOKEN", 1, SecretValue.of("token-1")));
    }

    private void createDirectly(String id, Map<String, String> labels) {
        direct.createSecret("projects/" + PROJECT, id, Secret.newBuilder().putAllLabels(labels).build());
    }

    private static Instant expiry(Secret secret) {
        return Instant.ofEpochSecond(secret.getExpireTime().getSeconds(), secret.getExpireTime().getNanos());
    }

    private SecretManagerServiceClient directClient() {
        try {
            return SecretManagerServiceClient.create(SecretManagerServiceSettings.newBuilder()
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                    .build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
