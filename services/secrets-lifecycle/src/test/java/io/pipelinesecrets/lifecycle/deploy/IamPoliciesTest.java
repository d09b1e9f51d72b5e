package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.RecordingCredentials;
import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.Operations;
import io.pipelinesecrets.testing.aws.SecretSnapshot;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IAM policies of deploy/iam. The service's policy must allow exactly the Secrets Manager operations the
 * service makes: they are found by driving the real backend through every path (create, adopt, refuse, delete by
 * ARN and by name, bundle, the reconciler's listing and deletion) against the wire-level double and reading what
 * it was asked. The backend runs as the shipped deployment does: with the Kustomize base's {@code instance.id} and a
 * deployment mark, so every tag it sets is held against the policy's conditions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamPoliciesTest {

    private static final String SERVICE_POLICY = "deploy/iam/pipeline-secrets-service.json";
    private static final String RUN_SECRETS = "arn:aws:secretsmanager:*:*:secret:tower-*";
    private static final String KUSTOMIZE = "deploy/kubernetes";
    /** The instance id the shipped deployment runs with: what the policy's managed-by conditions must name. */
    private static final String INSTANCE_ID = DeployFiles.properties(DeployFiles.path(KUSTOMIZE + "/base/service.properties"))
            .getProperty("instance.id");
    private static final String BUNDLED = "ce-bundle";

    private final SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
            .withForceDeleteDelay(Duration.ofMillis(100)));
    private final List<String> arnsCreated = new ArrayList<>();
    private Set<String> operationsMade;
    private Map<String, String> tagsSet;

    @BeforeAll
    void driveTheBackendThroughEveryPath() {
        createSecretOfAnotherSystem("tower-run-foreign/TOKEN");
        sm.stats().reset();
        // One backend (closing one costs seconds): per-secret by default, bundle mode for compute environment ce-bundle.
        try (AwsSecretsManagerBackend backend = backend()) {
            // Create, then adopt the run's own secret holding an older version (Describe + PutSecretValue).
            List<StoredSecret> manifest = created(backend.provision(run("run-1"), secrets(1)).join());
            assertThat(created(backend.provision(run("run-1"), secrets(2)).join())).isEqualTo(manifest);
            // Adopt it again with the value changed but not its version: read back, compare, write (GetSecretValue).
            assertThat(created(backend.provision(run("run-1"), changedWithoutNewVersion(2)).join())).isEqualTo(manifest);
            // A name someone else owns: described, refused, untouched.
            assertThat(backend.provision(run("run-foreign"), List.of(secret("TOKEN", 1))).join())
                    .singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                            failed -> assertThat(failed.error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER"));
            // Delete by the manifest's ARN, and by name when a manifest entry has none (Describe first).
            assertThat(backend.release(run("run-1"), manifest).join()).allMatch(SecretOutcome.Deleted.class::isInstance);
            created(backend.provision(run("run-2"), secrets(1)).join());
            assertThat(backend.release(run("run-2"), List.of(new StoredSecret("DB_PASSWORD", null))).join())
                    .singleElement().isInstanceOf(SecretOutcome.Deleted.class);
            // One JSON secret per run.
            RunTarget bundled = new RunTarget("run-3", "ws-1", "alice", BUNDLED, "aws-batch", "us-east-1", null, null);
            List<StoredSecret> bundle = created(backend.provision(bundled, secrets(1)).join());
            tagsSet = sm.secret("tower-run-3").map(SecretSnapshot::tags).orElseThrow();
            assertThat(backend.release(bundled, bundle).join()).allMatch(SecretOutcome.Deleted.class::isInstance);
            // The reconciler: list what carries the mark, delete a leftover by ARN (Describe first).
            created(backend.provision(run("run-4"), secrets(1)).join());
            List<OwnedEntry> owned = backend.listOwned().join();
            assertThat(owned).extracting(OwnedEntry::runId).contains("run-4");
            owned.forEach(entry -> assertThat(backend.deleteOwned(entry).join()).isInstanceOf(SecretOutcome.Deleted.class));
        }
        operationsMade = new TreeSet<>();
        Operations.ALL.stream().filter(op -> sm.stats().requests(op) > 0).forEach(operationsMade::add);
    }

    @AfterAll
    void stopTheDouble() {
        sm.close();
    }

    static Stream<Path> policies() throws IOException {
        try (Stream<Path> files = Files.list(DeployFiles.path("deploy/iam"))) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(json).as("policies in deploy/iam").isNotEmpty();
            return json.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void shouldBeAValidIamPolicy(Path file) {
        JsonNode policy = DeployFiles.json(file);

        assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
        assertThat(policy.path("Statement").isArray()).as("Statement is an array").isTrue();
        assertThat(policy.get("Statement").size()).isPositive();
        Set<String> sids = new TreeSet<>();
        policy.get("Statement").forEach(statement -> {
            assertThat(statement.path("Effect").asText()).isIn("Allow", "Deny");
            assertThat(values(statement.get("Action"))).isNotEmpty()
                    .allSatisfy(action -> assertThat(action).matches("[a-z0-9-]+:[A-Za-z*]+"));
            boolean trust = statement.has("Principal");
            assertThat(trust ? statement.get("Principal").size() : values(statement.get("Resource")).size())
                    .as("an identity policy names its Resource, a trust policy its Principal").isPositive();
            assertThat(trust && statement.has("Resource")).as("a trust policy statement names no Resource").isFalse();
            if (statement.has("Sid")) {
                assertThat(sids.add(statement.get("Sid").asText())).as("Sid %s is unique", statement.get("Sid")).isTrue();
            }
        });
    }

    @Test
    void shouldAllowTheServiceExactlyTheSecretsManagerOperationsItMakes() {
        Set<String> needed = new TreeSet<>(operationsMade);
        if (!tagsSet.isEmpty()) {
            needed.add(Operations.TAG_RESOURCE); // CreateSecret with Tags is also authorised as TagResource
        }

        assertThat(operationsMade).as("the backend paths were driven")
                .contains(Operations.CREATE_SECRET, Operations.DESCRIBE_SECRET, Operations.DELETE_SECRET,
                        Operations.LIST_SECRETS);
        assertThat(allowedActions(DeployFiles.json(DeployFiles.path(SERVICE_POLICY)), "secretsmanager"))
                .containsExactlyInAnyOrderElementsOf(needed.stream().map(op -> "secretsmanager:" + op).toList());
    }

    @Test
    void shouldLimitTheServiceToRunSecretsExceptForListSecrets() {
        for (JsonNode statement : allows(DeployFiles.json(DeployFiles.path(SERVICE_POLICY)))) {
            List<String> actions = values(statement.get("Action"));
            if (actions.equals(List.of("secretsmanager:ListSecrets"))) {
                assertThat(values(statement.get("Resource"))).as("ListSecrets cannot be scoped").containsExactly("*");
            } else {
                assertThat(actions).doesNotContain("secretsmanager:ListSecrets");
                assertThat(values(statement.get("Resource"))).as("%s", actions).containsExactly(RUN_SECRETS);
            }
        }
        Pattern runSecrets = glob(RUN_SECRETS);
        assertThat(arnsCreated).isNotEmpty().allSatisfy(arn -> assertThat(arn).matches(runSecrets));
        assertThat(AwsEnvironmentSettings.DEFAULTS.secretName("run-1", "NAME")).startsWith("tower-");
        assertThat(AwsEnvironmentSettings.DEFAULTS.bundleName("run-1")).startsWith("tower-");
    }

    @Test
    void shouldDeleteAndOverwriteOnlySecretsMarkedAsThisDeployments() {
        JsonNode policy = DeployFiles.json(DeployFiles.path(SERVICE_POLICY));

        for (String action : List.of("secretsmanager:DeleteSecret", "secretsmanager:PutSecretValue",
                "secretsmanager:GetSecretValue")) {
            List<JsonNode> granting = allows(policy).stream().filter(s -> values(s.get("Action")).contains(action)).toList();
            assertThat(granting).as(action).isNotEmpty().allSatisfy(statement ->
                    assertThat(statement.at("/Condition/StringEquals").path("aws:ResourceTag/managed-by").asText())
                            .as("%s conditioned on the managed-by tag", action).isEqualTo(INSTANCE_ID));
        }
    }

    @Test
    void shouldNameInEveryManagedByConditionTheInstanceIdEveryKustomizationRunsWith() throws IOException {
        List<String> conditioned = ServicePolicy.managedByValues();
        Map<Path, String> instanceIds = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.walk(DeployFiles.path(KUSTOMIZE))) {
            files.filter(f -> f.getFileName().toString().equals("service.properties"))
                    .forEach(f -> instanceIds.put(f, DeployFiles.properties(f).getProperty("instance.id")));
        }

        assertThat(conditioned).as("managed-by conditions of %s", SERVICE_POLICY).hasSizeGreaterThanOrEqualTo(3);
        assertThat(instanceIds).as("the base and every overlay").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy((file, instanceId) -> assertThat(conditioned).as("instance.id of %s", file)
                        .containsOnly(instanceId));
    }

    @Test
    void shouldCreateOnlySecretsCarryingTheTagsTheServiceSets() {
        JsonNode create = allows(DeployFiles.json(DeployFiles.path(SERVICE_POLICY))).stream()
                .filter(s -> values(s.get("Action")).contains("secretsmanager:CreateSecret")).findFirst().orElseThrow();

        assertThat(values(create.get("Action"))).contains("secretsmanager:TagResource");
        assertThat(tagsSet).containsEntry(AwsSecretsManagerBackend.TAG_MANAGED_BY, INSTANCE_ID)
                .containsKey(AwsSecretsManagerBackend.TAG_DEPLOYMENT);
        assertThat(create.at("/Condition/StringEquals").path("aws:RequestTag/managed-by").asText()).isEqualTo(INSTANCE_ID);
        assertThat(values(create.at("/Condition/ForAllValues:StringEquals").get("aws:TagKeys")))
                .as("every tag key the backend sets is allowed, or CreateSecret is denied")
                .containsExactlyInAnyOrderElementsOf(tagsSet.keySet());
    }

    @Test
    void shouldGrantThePlatformsDocumentedSetup() {
        assertThat(allowedActions(policy("platform-instance.json"), "secretsmanager")).containsExactlyInAnyOrder(
                "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:ListSecrets");
        assertThat(allowedActions(policy("ecs-execution-role.json"), "secretsmanager"))
                .containsExactly("secretsmanager:GetSecretValue");
        assertThat(resources(policy("ecs-execution-role.json"))).containsExactly(RUN_SECRETS);
        JsonNode trust = policy("ecs-execution-role-trust.json").at("/Statement/0");
        assertThat(trust.at("/Principal/Service").asText()).isEqualTo("ecs-tasks.amazonaws.com");
        assertThat(values(trust.get("Action"))).containsExactly("sts:AssumeRole");
        JsonNode headJob = policy("head-job.json");
        assertThat(allowedActions(headJob, "secretsmanager")).containsExactly("secretsmanager:ListSecrets");
        assertThat(allowedActions(headJob, "iam")).containsExactlyInAnyOrder("iam:GetRole", "iam:PassRole");
        allows(headJob).stream().filter(s -> values(s.get("Action")).contains("iam:PassRole")).forEach(s ->
                assertThat(values(s.get("Resource"))).as("PassRole only on the execution role")
                        .allSatisfy(r -> assertThat(r).matches("arn:aws:iam::\\d{12}:role/[\\w+=,.@-]+")));
        assertThat(allowedActions(headJob, "secretsmanager")).doesNotContain("secretsmanager:GetSecretValue");
    }

    @Test
    void shouldLetTheKmsStatementOnlyServeSecretsManager() {
        JsonNode kms = policy("pipeline-secrets-service-kms.json");

        assertThat(allowedActions(kms, "kms")).containsExactlyInAnyOrder("kms:GenerateDataKey", "kms:Decrypt");
        assertThat(allows(kms)).allSatisfy(s -> assertThat(s.at("/Condition/StringLike").path("kms:ViaService").asText())
                .startsWith("secretsmanager."));
    }

    // ---- driving the backend

    private AwsSecretsManagerBackend backend() {
        AwsEnvironmentSettings bundle = new AwsEnvironmentSettings(AwsEnvironmentSettings.DEFAULT_NAME_TEMPLATE, true, null, null);
        return new AwsSecretsManagerBackend(new AwsBackendConfig(INSTANCE_ID, AwsEnvironmentSettings.DEFAULTS,
                Map.of(BUNDLED, bundle), Set.of("us-east-1"), Set.of(), null, 200, URI.create(sm.endpoint()),
                Duration.ofSeconds(20)).withDeployment(Deployment.of("cluster", "app")), new RecordingCredentials());
    }

    private List<StoredSecret> created(List<SecretOutcome> outcomes) {
        assertThat(outcomes).isNotEmpty().allMatch(SecretOutcome.Created.class::isInstance);
        List<StoredSecret> manifest = outcomes.stream()
                .map(o -> new StoredSecret(o.name(), ((SecretOutcome.Created) o).backendRef())).toList();
        manifest.forEach(entry -> arnsCreated.add(entry.backendRef()));
        return manifest;
    }

    private static RunTarget run(String runId) {
        return new RunTarget(runId, "ws-1", "alice", "ce-aws", "aws-batch", "us-east-1", null, null);
    }

    private static List<Secret> secrets(long version) {
        return List.of(secret("DB_PASSWORD", version), new Secret(Scope.USER, "alice", "API_TOKEN", version,
                SecretValue.of("user-token-" + version)));
    }

    private static List<Secret> changedWithoutNewVersion(long version) {
        return secrets(version).stream().map(s -> new Secret(s.scope(), s.ownerId(), s.name(), s.version(),
                SecretValue.of("changed-" + version))).toList();
    }

    private static Secret secret(String name, long version) {
        return new Secret(Scope.WORKSPACE, "ws-1", name, version, SecretValue.of("workspace-value-" + version));
    }

    /**
     * An untagged secret, created over the double's wire protocol directly: a second SDK client would cost seconds
     * of start-up for one call.
     */
    private void createSecretOfAnotherSystem(String name) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sm.endpoint() + "/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "secretsmanager.CreateSecret")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Name\":\"" + name + "\",\"SecretString\":\"not ours\"}"))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("CreateSecret %s: %s", name, response.body()).isEqualTo(200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- reading policies

    private static JsonNode policy(String name) {
        return DeployFiles.json(DeployFiles.path("deploy/iam/" + name));
    }

    private static List<JsonNode> allows(JsonNode policy) {
        List<JsonNode> allows = new ArrayList<>();
        policy.get("Statement").forEach(s -> {
            if (s.get("Effect").asText().equals("Allow")) {
                allows.add(s);
            }
        });
        return allows;
    }

    private static Set<String> allowedActions(JsonNode policy, String service) {
        Set<String> actions = new TreeSet<>();
        allows(policy).forEach(s -> values(s.get("Action")).stream().filter(a -> a.startsWith(service + ":")).forEach(actions::add));
        return actions;
    }

    private static Set<String> resources(JsonNode policy) {
        Set<String> resources = new TreeSet<>();
        allows(policy).forEach(s -> resources.addAll(values(s.get("Resource"))));
        return resources;
    }

    /** A string or an array of strings, as IAM allows for Action and Resource. */
    private static List<String> values(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node == null || node.isMissingNode()) {
            return values;
        }
        if (node.isArray()) {
            node.forEach(v -> values.add(v.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }

    /** IAM's ARN wildcards: * any run of characters, ? one character. */
    private static Pattern glob(String arnPattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : arnPattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }
}
