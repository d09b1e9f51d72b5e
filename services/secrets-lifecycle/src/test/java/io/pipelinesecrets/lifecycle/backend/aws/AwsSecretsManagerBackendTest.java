package io.pipelinesecrets.lifecycle.backend.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretCall;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend against the wire-level double, through the real SDK, without Kafka. One double and one backend serve
 * the class (closing an SDK client's event loop takes two seconds); the double is emptied before each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsSecretsManagerBackendTest {

    private static final String CANARY = "canary-aws-3e4f";
    private static final String ROLE = "arn:aws:iam::123456789012:role/tower-secrets";
    private static final String OTHER_TENANTS_ROLE = "arn:aws:iam::444455556666:role/tenant-b-secrets";

    private final SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
            .withForceDeleteDelay(Duration.ofMillis(200)));
    private final RecordingCredentials credentials = new RecordingCredentials();
    private final AwsSecretsManagerBackend backend = backend(AwsEnvironmentSettings.DEFAULTS);
    private final AwsSecretsManagerBackend bundling = backend(
            new AwsEnvironmentSettings(AwsEnvironmentSettings.DEFAULT_NAME_TEMPLATE, true, null, null));
    private final RecordingCredentials boundCredentials = new RecordingCredentials();
    /** Two tenants' compute environments, each bound to its own role; unbound compute environments may use nothing. */
    private final AwsSecretsManagerBackend bound = new AwsSecretsManagerBackend(new AwsBackendConfig("instance-a",
            AwsEnvironmentSettings.DEFAULTS, Map.of(), Set.of("us-east-1", "eu-west-1"), Set.of(ROLE, OTHER_TENANTS_ROLE),
            null, 200, URI.create(sm.endpoint()), Duration.ofSeconds(20)).withBindings(new AwsComputeEnvBindings(
            Map.of("ce-tenant-a", Set.of("us-east-1"), "ce-tenant-b", Set.of("us-east-1", "eu-west-1")),
            Map.of("ce-tenant-a", Set.of(ROLE), "ce-tenant-b", Set.of(OTHER_TENANTS_ROLE)), true)), boundCredentials);

    @BeforeEach
    void emptyTheDouble() {
        sm.reset();
    }

    @AfterAll
    void stop() {
        backend.close();
        bundling.close();
        bound.close();
        sm.close();
    }

    @Test
    void shouldCreateOneTaggedSecretPerNameAndReportItsArn() {
        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
        assertThat(((SecretOutcome.Created) outcomes.get(0)).backendRef())
                .matches("arn:aws:secretsmanager:us-east-1:123456789012:secret:tower-run-1/API_TOKEN-[A-Za-z0-9]{6}");
        assertThat(sm.secret("tower-run-1/DB_PASSWORD")).hasValueSatisfying(secret -> {
            assertThat(secret.currentValue().orElseThrow().asString()).isEqualTo(CANARY);
            assertThat(secret.tags()).containsEntry("managed-by", "instance-a").containsEntry("run-id", "run-1")
                    .containsEntry("workspace-id", "ws-1").containsEntry("user-id", "alice").containsEntry("scope", "workspace");
        });
        assertThat(sm.secret("tower-run-1/API_TOKEN").orElseThrow().tags()).containsEntry("scope", "user");
    }

    @Test
    void shouldMakeRepeatedProvisioningAnIdempotentNoOp() {
        List<SecretOutcome> first = backend.provision(run("run-1", null), secrets()).join();
        List<SecretOutcome> second = backend.provision(run("run-1", null), secrets()).join();

        assertThat(second).isEqualTo(first);
        assertThat(sm.liveSecretNames()).containsExactlyInAnyOrder("tower-run-1/API_TOKEN", "tower-run-1/DB_PASSWORD");
        assertThat(sm.stats().conflictingCreates()).isEmpty();
        assertThat(sm.stats().calls()).filteredOn(c -> c.outcome() == SecretCall.Outcome.CREATED).hasSize(2);
    }

    @Test
    void shouldWriteTheNewValueWhenItsOwnSecretHoldsAnOlderVersion() {
        backend.provision(run("run-1", null), secrets()).join();
        List<Secret> rotated = List.of(new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 2, SecretValue.of("rotated")));

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), rotated).join();

        assertThat(outcomes).singleElement().isInstanceOf(SecretOutcome.Created.class);
        assertThat(sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().currentValue().orElseThrow().asString()).isEqualTo("rotated");
    }

    @Test
    void shouldWriteTheNewValueWhenTheValueChangedWithoutANewVersion() {
        backend.provision(run("run-1", null), secrets()).join();
        List<Secret> changed = List.of(new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 1, SecretValue.of("changed")));

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), changed).join();

        assertThat(outcomes).singleElement().isInstanceOf(SecretOutcome.Created.class);
        assertThat(sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().currentValue().orElseThrow().asString())
                .isEqualTo("changed");
        assertThat(sm.stats().requests("PutSecretValue")).isEqualTo(1);
    }

    @Test
    void shouldWriteNothingWhenItsOwnSecretAlreadyHoldsTheValue() {
        List<Secret> changed = List.of(new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 1, SecretValue.of("changed")));
        backend.provision(run("run-1", null), secrets()).join();
        backend.provision(run("run-1", null), changed).join();
        long puts = sm.stats().requests("PutSecretValue");

        List<SecretOutcome> replayed = backend.provision(run("run-1", null), changed).join();

        assertThat(replayed).singleElement().isInstanceOf(SecretOutcome.Created.class);
        assertThat(sm.stats().requests("PutSecretValue")).as("the value was compared, not written again").isEqualTo(puts);
        assertThat(sm.stats().requests("GetSecretValue")).isPositive();
        assertThat(sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().currentValue().orElseThrow().asString())
                .isEqualTo("changed");
    }

    @Test
    void shouldWriteNothingWhenARotatedSecretIsProvisionedAgain() {
        List<Secret> rotated = List.of(new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 2, SecretValue.of("rotated")));
        backend.provision(run("run-1", null), secrets()).join();
        backend.provision(run("run-1", null), rotated).join();

        backend.provision(run("run-1", null), rotated).join();

        assertThat(sm.stats().requests("PutSecretValue")).as("only the rotation itself").isEqualTo(1);
        assertThat(sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().currentValue().orElseThrow().asString())
                .isEqualTo("rotated");
    }

    @Test
    void shouldNeverPutTheValueItReadBackIntoAnOutcome() {
        backend.provision(run("run-1", null), secrets()).join();
        sm.faults().on("PutSecretValue").accessDenied();
        List<Secret> changed = List.of(new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 1, SecretValue.of("changed")));

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), changed).join();

        assertThat(outcomes).singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                f -> assertThat(f.error().code()).isEqualTo("AccessDeniedException"));
        assertThat(outcomes.toString()).doesNotContain(CANARY).doesNotContain("changed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileOwnerIds")
    void shouldTagAnyLegalOwnerIdInAFormSecretsManagerAccepts(String description, String ownerId) {
        assertThat(SecretKey.ownerIdProblem(ownerId)).as("a legal owner id").isNull();
        RunTarget run = new RunTarget("run-1", ownerId, ownerId, "ce-aws", "aws-batch", "us-east-1", null, null);

        List<SecretOutcome> outcomes = backend.provision(run, secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
        Map<String, String> tags = sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().tags();
        assertThat(TagValues.decode(tags.get("workspace-id"))).isEqualTo(ownerId);
        assertThat(TagValues.decode(tags.get("user-id"))).isEqualTo(ownerId);
    }

    static Stream<Arguments> hostileOwnerIds() {
        return Stream.of(
                Arguments.of("a hash", "team#1"),
                Arguments.of("a percent sign", "50%off"),
                Arguments.of("angle brackets", "<script>alert(1)</script>"),
                Arguments.of("an emoji", "rocket-\uD83D\uDE80"),
                Arguments.of("a combining accent", "jose\u0301"),
                Arguments.of("letters of other scripts", "Zürich_東京_Αθήνα"),
                Arguments.of("128 multi-byte symbols", "\u20AC".repeat(128)),
                Arguments.of("64 emoji", "\uD83D\uDE80".repeat(64)),
                Arguments.of("127 accented letters and a hash", "é".repeat(127) + "#"));
    }

    @Test
    void shouldKeepAnOwnerIdThatAlreadyFitsAsItIs() {
        RunTarget run = new RunTarget("run-1", "Zürich_東京", "alice@example.org", "ce-aws", "aws-batch", "us-east-1", null, null);

        backend.provision(run, secrets()).join();

        assertThat(sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().tags())
                .containsEntry("workspace-id", "Zürich_東京").containsEntry("user-id", "alice@example.org");
    }

    @Test
    void shouldRefuseANameAnotherSystemOwnsAndLeaveItUntouched() {
        try (SecretsManagerClient other = client()) {
            other.createSecret(r -> r.name("tower-run-1/DB_PASSWORD").secretString("theirs"));
        }

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), secrets()).join();
        List<SecretOutcome> released = backend.release(run("run-1", null),
                List.of(new StoredSecret("DB_PASSWORD", null))).join();

        assertThat(outcomes).filteredOn(o -> o.name().equals("DB_PASSWORD")).singleElement()
                .isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> {
                    assertThat(f.error().isRetryable()).isFalse();
                    assertThat(f.error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER");
                });
        assertThat(released).singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                f -> assertThat(f.error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER"));
        assertThat(sm.secret("tower-run-1/DB_PASSWORD").orElseThrow().currentValue().orElseThrow().asString()).isEqualTo("theirs");
    }

    @Test
    void shouldDeleteByTheManifestsArnAndCountAnAlreadyDeletedSecretAsDeleted() {
        List<SecretOutcome> created = backend.provision(run("run-1", null), secrets()).join();
        List<StoredSecret> manifest = created.stream()
                .map(o -> new StoredSecret(o.name(), ((SecretOutcome.Created) o).backendRef())).toList();

        List<SecretOutcome> released = backend.release(run("run-1", null), manifest).join();
        List<SecretOutcome> again = backend.release(run("run-1", null), manifest).join();

        assertThat(released).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Deleted.class));
        assertThat(again).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Deleted.class));
        assertThat(sm.liveSecretNames()).isEmpty();
        assertThat(sm.stats().requests("DeleteSecret")).isEqualTo(4);
        assertThat(sm.stats().requests("DescribeSecret")).as("deletes by ARN need no lookup").isZero();
    }

    @Test
    void shouldStoreABundleAsOneJsonSecretAndDeleteItOnce() throws Exception {
        List<SecretOutcome> created = bundling.provision(run("run-1", null), secrets()).join();
        String arn = ((SecretOutcome.Created) created.get(0)).backendRef();
        JsonNode bundle = new ObjectMapper().readTree(sm.secret("tower-run-1").orElseThrow().currentValue().orElseThrow().asString());
        List<SecretOutcome> released = bundling.release(run("run-1", null),
                created.stream().map(o -> new StoredSecret(o.name(), arn)).toList()).join();

        assertThat(created).extracting(o -> ((SecretOutcome.Created) o).backendRef()).containsOnly(arn);
        assertThat(bundle.get("DB_PASSWORD").asText()).isEqualTo(CANARY);
        assertThat(bundle.get("API_TOKEN").asText()).isEqualTo("user-token");
        assertThat(released).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Deleted.class));
        assertThat(sm.stats().requests("CreateSecret")).isEqualTo(1);
        assertThat(sm.stats().requests("DeleteSecret")).isEqualTo(1);
    }

    @Test
    void shouldRefuseABundleOverSixtyFourKilobytesSayingWhy() {        List<Secret> large = List.of(
                new Secret(Scope.WORKSPACE, "ws-1", "BIG_A", 1, SecretValue.of("a".repeat(40_000))),
                new Secret(Scope.WORKSPACE, "ws-1", "BIG_B", 1, SecretValue.of("b".repeat(40_000))));

        List<SecretOutcome> outcomes = bundling.provision(run("run-1", null), large).join();

        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> {
            assertThat(f.error().code()).isEqualTo("BUNDLE_TOO_LARGE");
            assertThat(f.error().message()).contains("65536").contains("bundle mode off");
        }));
        assertThat(sm.stats().totalRequests()).isZero();
    }

    @Test
    void shouldRefuseRegionsAndRolesTheConfigurationDoesNotAllow() {
        RunTarget otherRegion = new RunTarget("run-1", "ws-1", "alice", "ce-aws", "aws-batch", "eu-west-1", null, null);
        RunTarget otherRole = run("run-1", "arn:aws:iam::999999999999:role/attacker");

        assertThat(backend.provision(otherRegion, secrets()).join()).allSatisfy(o ->
                assertThat(((SecretOutcome.Failed) o).error().code()).isEqualTo("REGION_NOT_ALLOWED"));
        assertThat(backend.provision(otherRole, secrets()).join()).allSatisfy(o ->
                assertThat(((SecretOutcome.Failed) o).error().code()).isEqualTo("ROLE_NOT_ALLOWED"));
        assertThat(sm.stats().totalRequests()).isZero();
        assertThat(credentials.assumedRoles()).noneMatch(role -> role.contains("attacker"));
    }

    @Test
    void shouldRefuseARoleBoundToAnotherComputeEnvironmentBeforeAnyCall() {
        RunTarget borrowing = new RunTarget("run-1", "ws-1", "alice", "ce-tenant-a", "aws-batch", "us-east-1",
                OTHER_TENANTS_ROLE, null);

        List<SecretOutcome> outcomes = bound.provision(borrowing, secrets()).join();

        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> {
            assertThat(f.error().isRetryable()).isFalse();
            assertThat(f.error().code()).isEqualTo("ROLE_NOT_ALLOWED");
            assertThat(f.error().message()).as("names the binding, lists no allowed role")
                    .contains("aws.compute-env.ce-tenant-a.role-arns").doesNotContain(ROLE);
        }));
        assertThat(sm.stats().totalRequests()).isZero();
        assertThat(boundCredentials.assumedRoles()).noneMatch(role -> role.contains(OTHER_TENANTS_ROLE));
    }

    @Test
    void shouldProvisionWithTheRoleBoundToTheComputeEnvironment() {
        RunTarget own = new RunTarget("run-1", "ws-1", "alice", "ce-tenant-a", "aws-batch", "us-east-1", ROLE, null);

        List<SecretOutcome> outcomes = bound.provision(own, secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Created.class));
        assertThat(sm.liveSecretNames()).hasSize(2);
    }

    @Test
    void shouldRefuseARegionOutsideTheComputeEnvironmentsBinding() {
        RunTarget elsewhere = new RunTarget("run-1", "ws-1", "alice", "ce-tenant-a", "aws-batch", "eu-west-1", ROLE, null);

        assertThat(bound.provision(elsewhere, secrets()).join()).allSatisfy(o -> assertThat(o)
                .isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> assertThat(f.error().code()).isEqualTo("REGION_NOT_ALLOWED")));
        assertThat(sm.stats().totalRequests()).isZero();
    }

    @Test
    void shouldLetAComputeEnvironmentWithoutABindingUseNothingWhenBindingsAreRequired() {
        RunTarget unbound = new RunTarget("run-1", "ws-1", "alice", "ce-unbound", "aws-batch", "us-east-1", null, null);
        RunTarget unboundWithRole = new RunTarget("run-2", "ws-1", "alice", "ce-unbound", "aws-batch", "us-east-1", ROLE, null);

        assertThat(bound.provision(unbound, secrets()).join()).allSatisfy(o -> assertThat(o)
                .isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> assertThat(f.error().message())
                        .contains("aws.compute-env.ce-unbound.regions").contains("aws.require-compute-env-binding")));
        assertThat(bound.provision(unboundWithRole, secrets()).join()).allSatisfy(o -> assertThat(o)
                .isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> assertThat(f.error().code()).isEqualTo("REGION_NOT_ALLOWED")));
        assertThat(sm.stats().totalRequests()).isZero();
    }

    @Test
    void shouldRefuseToReleaseWithARoleTheComputeEnvironmentIsNotBoundTo() {
        RunTarget borrowing = new RunTarget("run-1", "ws-1", "alice", "ce-tenant-b", "aws-batch", "us-east-1", ROLE, null);

        assertThat(bound.release(borrowing, List.of(new StoredSecret("DB_PASSWORD", null))).join()).singleElement()
                .isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> assertThat(f.error().code()).isEqualTo("ROLE_NOT_ALLOWED"));
        assertThat(sm.stats().totalRequests()).isZero();
    }

    @Test
    void shouldAssumeAnAllowedRoleOnceAndReuseItsClient() {
        backend.provision(run("run-1", ROLE), secrets()).join();
        backend.provision(run("run-2", ROLE), secrets()).join();

        assertThat(credentials.assumedRoles()).containsOnlyOnce("us-east-1 " + ROLE);
        assertThat(sm.liveSecretNames()).hasSize(4);
    }

    @Test
    void shouldClassifyAccessDeniedAsPermanentWithTheAwsCode() {
        sm.faults().on("CreateSecret").accessDenied();

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(SecretOutcome.Failed.class, f -> {
            assertThat(f.error().isRetryable()).isFalse();
            assertThat(f.error().code()).isEqualTo("AccessDeniedException");
        }));
    }

    @Test
    void shouldReportThrottlingThatOutlastsTheSdkRetriesAsRetryableAndCountIt() {
        long throttlesBefore = backend.throttlesSeen();
        sm.faults().on("CreateSecret").throttle(100);

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), secrets()).join();

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(SecretOutcome.Failed.class,
                f -> assertThat(f.error().isRetryable()).isTrue()));
        assertThat(backend.throttlesSeen() - throttlesBefore).isEqualTo(2);
    }

    @Test
    void shouldListEverySecretMarkedAsItsOwnAcrossPagesAndNothingElse() {
        for (int i = 0; i < 65; i++) {
            backend.provision(run("run-" + i, null), secrets()).join();
        }
        try (SecretsManagerClient client = client()) {
            client.createSecret(r -> r.name("tower-foreign/X").secretString("x").tags(
                    Tag.builder().key("managed-by").value("someone-else").build(),
                    Tag.builder().key("owner").value("instance-a").build(),
                    Tag.builder().key("run-id").value("run-foreign").build()));
            client.createSecret(r -> r.name("unmarked/Y").secretString("y"));
        }

        List<OwnedEntry> owned = backend.listOwned().join();

        assertThat(owned).hasSize(130).allSatisfy(entry -> {
            assertThat(entry.backend()).isEqualTo("aws-secretsmanager");
            assertThat(entry.ref()).startsWith("arn:aws:secretsmanager:us-east-1:");
            assertThat(entry.where().region()).isEqualTo("us-east-1");
            assertThat(entry.where().accountRoleArn()).as("found with the service's own credentials first").isNull();
        });
        assertThat(owned).extracting(OwnedEntry::runId).doesNotContain("run-foreign").contains("run-0", "run-64");
        assertThat(sm.stats().requests("ListSecrets"))
                .as("both credentials (own and the allowed role), two pages each").isEqualTo(4);
    }

    @Test
    void shouldDeleteAListedSecretOnlyWhileItStillCarriesItsMark() {
        backend.provision(run("run-1", null), secrets()).join();
        List<OwnedEntry> owned = backend.listOwned().join();
        try (SecretsManagerClient client = client()) {
            client.untagResource(r -> r.secretId("tower-run-1/API_TOKEN").tagKeys("managed-by"));
        }

        List<SecretOutcome> outcomes = owned.stream().map(entry -> backend.deleteOwned(entry).join()).toList();

        assertThat(outcomes).hasSize(2).anySatisfy(o -> assertThat(o).isInstanceOf(SecretOutcome.Deleted.class))
                .anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(SecretOutcome.Failed.class,
                        f -> assertThat(f.error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER")));
        assertThat(sm.liveSecretNames()).containsExactly("tower-run-1/API_TOKEN");
    }

    @Test
    void shouldNeverPutAValueIntoAnOutcome() {
        sm.faults().on("CreateSecret").serverError(100);

        List<SecretOutcome> outcomes = backend.provision(run("run-1", null), secrets()).join();

        assertThat(outcomes.toString()).doesNotContain(CANARY).doesNotContain("user-token");
    }

    private AwsSecretsManagerBackend backend(AwsEnvironmentSettings settings) {
        return new AwsSecretsManagerBackend(new AwsBackendConfig("instance-a", settings, Map.of(), Set.of("us-east-1"),
                Set.of(ROLE), null, 200, URI.create(sm.endpoint()), Duration.ofSeconds(20)), credentials);
    }

    private static RunTarget run(String runId, String role) {
        return new RunTarget(runId, "ws-1", "alice", "ce-aws", "aws-batch", "us-east-1", role, null);
    }

    private static List<Secret> secrets() {
        return List.of(new Secret(Scope.USER, "alice", "API_TOKEN", 1, SecretValue.of("user-token")),
                new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 1, SecretValue.of(CANARY)));
    }

    private SecretsManagerClient client() {
        return SecretsManagerClient.builder().endpointOverride(URI.create(sm.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y"))).build();
    }
}
