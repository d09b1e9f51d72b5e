package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSource;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSourceForTests;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretManagerBackend;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Google IAM files of deploy/iam/gcp against the Google Secret Manager backend. What the service needs is derived
 * from the backend's source: every Secret Manager call named in {@code backend/google} (a client method, callable or
 * paged callable of any RPC of the service) maps to its permission in {@link #PERMISSIONS}, and the custom role must
 * hold exactly those. A call added without its permission, or a permission left behind by a call removed, fails
 * here. The backend is also driven through every path against the Secret Manager double, so that the scan is known
 * to see every call the backend makes, and every name it writes is held against the IAM conditions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GcpIamTest {

    private static final String DIR = "deploy/iam/gcp/";
    private static final String SERVICE_ROLE = DIR + "pipeline-secrets-service.role.yaml";
    private static final String SERVICE_CONDITION = DIR + "run-secrets.condition.yaml";
    private static final String HEAD_JOB_CONDITION = DIR + "head-job-run-secrets.condition.yaml";
    private static final String SOURCES = "services/secrets-lifecycle/src/main/java/io/pipelinesecrets/lifecycle/backend/google";
    private static final String INSTANCE_ID = DeployFiles.properties(DeployFiles.path("deploy/kubernetes/base/service.properties"))
            .getProperty("instance.id");
    private static final String PROJECT = "tower-prod-1";
    /** IAM conditions name Secret Manager resources by project number; this one stands for {@link #PROJECT}'s. */
    private static final String PROJECT_NUMBER = "123456789012";
    private static final String LOCATION = "europe-west4";
    private static final String PINNED = "ce-pinned";
    private static final String BUNDLED = "ce-bundle";

    /** Where Google checks a permission: on the parent of the request or on the secret (or its version) it names. */
    enum CheckedOn { PARENT, SECRET }

    record Needs(String permission, CheckedOn on) {
    }

    /**
     * Every Secret Manager v1 call and the permission it needs (Google's "Secret Manager roles and permissions").
     * The location calls are the client's mixin. {@code TestIamPermissions} needs none and is left out on purpose:
     * a call the table does not name fails the test until someone says what it needs.
     */
    static final Map<String, Needs> PERMISSIONS = Map.ofEntries(
            entry("CreateSecret", new Needs("secretmanager.secrets.create", CheckedOn.PARENT)),
            entry("ListSecrets", new Needs("secretmanager.secrets.list", CheckedOn.PARENT)),
            entry("GetSecret", new Needs("secretmanager.secrets.get", CheckedOn.SECRET)),
            entry("UpdateSecret", new Needs("secretmanager.secrets.update", CheckedOn.SECRET)),
            entry("DeleteSecret", new Needs("secretmanager.secrets.delete", CheckedOn.SECRET)),
            entry("AddSecretVersion", new Needs("secretmanager.versions.add", CheckedOn.SECRET)),
            entry("ListSecretVersions", new Needs("secretmanager.versions.list", CheckedOn.SECRET)),
            entry("GetSecretVersion", new Needs("secretmanager.versions.get", CheckedOn.SECRET)),
            entry("AccessSecretVersion", new Needs("secretmanager.versions.access", CheckedOn.SECRET)),
            entry("DisableSecretVersion", new Needs("secretmanager.versions.disable", CheckedOn.SECRET)),
            entry("EnableSecretVersion", new Needs("secretmanager.versions.enable", CheckedOn.SECRET)),
            entry("DestroySecretVersion", new Needs("secretmanager.versions.destroy", CheckedOn.SECRET)),
            entry("SetIamPolicy", new Needs("secretmanager.secrets.setIamPolicy", CheckedOn.SECRET)),
            entry("GetIamPolicy", new Needs("secretmanager.secrets.getIamPolicy", CheckedOn.SECRET)),
            entry("ListLocations", new Needs("secretmanager.locations.list", CheckedOn.PARENT)),
            entry("GetLocation", new Needs("secretmanager.locations.get", CheckedOn.PARENT)));

    private final SecretManagerDouble sm = SecretManagerDouble.start();
    private final Set<String> namesWritten = new TreeSet<>();
    private Set<String> callsMade;

    @BeforeAll
    void driveTheBackendThroughEveryPath() {
        createSecretOfAnotherSystem("tower-run-foreign-TOKEN");
        Map<String, Integer> before = callCounts();
        try (GoogleSecretManagerBackend backend = new GoogleSecretManagerBackend(config(), NO_CREDENTIALS)) {
            // Create with the value as the first version (CreateSecret, AddSecretVersion).
            List<StoredSecret> manifest = created(backend.provision(run("run-1", "ce-google"), secrets("v1")).join());
            // Again: the name exists, is the run's own and holds the value (GetSecret, AccessSecretVersion, no version).
            assertThat(created(backend.provision(run("run-1", "ce-google"), secrets("v1")).join())).isEqualTo(manifest);
            // The value changed: adopted, and a version added.
            assertThat(created(backend.provision(run("run-1", "ce-google"), secrets("v2")).join())).isEqualTo(manifest);
            // A name another system holds: read, refused, untouched.
            assertThat(backend.provision(run("run-foreign", "ce-google"), List.of(secret("TOKEN", "v1"))).join())
                    .singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                            failed -> assertThat(failed.error().code()).isEqualTo("NAME_OWNED_BY_ANOTHER"));
            // Delete by the manifest's names.
            assertThat(backend.release(run("run-1", "ce-google"), manifest).join())
                    .allMatch(SecretOutcome.Deleted.class::isInstance);
            // Regional secrets, deleted by the name a manifest entry without one implies.
            created(backend.provision(run("run-2", PINNED), secrets("v1")).join());
            assertThat(backend.release(run("run-2", PINNED), List.of(new StoredSecret("DB_PASSWORD", null),
                    new StoredSecret("API_TOKEN", null))).join()).allMatch(SecretOutcome.Deleted.class::isInstance);
            // One JSON secret per run.
            List<StoredSecret> bundle = created(backend.provision(run("run-3", BUNDLED), secrets("v1")).join());
            assertThat(backend.release(run("run-3", BUNDLED), bundle).join()).allMatch(SecretOutcome.Deleted.class::isInstance);
            // The reconciler: list by label, read each again, delete by etag.
            created(backend.provision(run("run-4", "ce-google"), secrets("v1")).join());
            List<OwnedEntry> owned = backend.listOwned().join();
            assertThat(owned).extracting(OwnedEntry::runId).contains("run-4");
            owned.forEach(entry -> assertThat(backend.deleteOwned(entry).join()).isInstanceOf(SecretOutcome.Deleted.class));
        }
        Map<String, Integer> after = callCounts();
        callsMade = after.keySet().stream().filter(rpc -> after.get(rpc) > before.get(rpc))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @AfterAll
    void stopTheDouble() {
        sm.close();
    }

    @Test
    void shouldGrantTheServiceExactlyThePermissionsOfTheCallsInTheBackendsSource() {
        Set<String> calls = callsInSource();
        Set<String> unmapped = new TreeSet<>(calls);
        unmapped.removeAll(PERMISSIONS.keySet());

        assertThat(unmapped).as("Secret Manager calls in %s that GcpIamTest.PERMISSIONS does not map to a permission:"
                + " add each there, and its permission to %s", SOURCES, SERVICE_ROLE).isEmpty();
        assertThat(permissions(SERVICE_ROLE)).as("%s must hold exactly the permissions of the calls %s", SERVICE_ROLE, calls)
                .containsExactlyInAnyOrderElementsOf(needed(calls));
    }

    @Test
    void shouldSeeInTheSourceEveryCallTheBackendMakes() {
        assertThat(callsMade).as("calls the double answered while the backend was driven").isNotEmpty();
        assertThat(callsInSource()).as("calls found in %s, against those the backend made (a difference means the scan"
                + " misses a call, or the driven paths miss one)", SOURCES).isEqualTo(callsMade);
    }

    @Test
    void shouldBeRoleDefinitionsGcloudTakes() throws IOException {
        try (Stream<Path> files = Files.list(DeployFiles.path(DIR))) {
            List<Path> roles = files.filter(f -> f.getFileName().toString().endsWith(".role.yaml")).sorted().toList();
            assertThat(roles).extracting(f -> DIR + f.getFileName()).containsExactly(SERVICE_ROLE);
            for (Path role : roles) {
                JsonNode definition = DeployFiles.yaml(DIR + role.getFileName());
                assertThat(DeployFiles.textFields(definition).keySet()).as("%s: the fields of gcloud iam roles create --file", role)
                        .isSubsetOf("title", "description", "stage", "includedPermissions").contains("title", "includedPermissions");
                assertThat(definition.get("title").asText()).as("title").isNotBlank().hasSizeLessThanOrEqualTo(100);
                assertThat(definition.path("stage").asText("GA")).isIn("ALPHA", "BETA", "GA", "DEPRECATED", "DISABLED", "EAP");
                List<String> permissions = permissions(DIR + role.getFileName());
                assertThat(permissions).as("%s", role).isNotEmpty().doesNotHaveDuplicates()
                        .allSatisfy(p -> assertThat(p).matches("secretmanager\\.[a-z]+\\.[a-zA-Z]+"));
            }
        }
    }

    @Test
    void shouldLetTheServiceReachItsParentsAndRunSecretsOnly() {
        Condition condition = Condition.of(SERVICE_CONDITION);
        Set<String> parents = namesWritten.stream().map(name -> name.substring(0, name.indexOf("/secrets/")))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(parents).as("global and regional parents were written to")
                .contains("projects/" + PROJECT_NUMBER, "projects/" + PROJECT_NUMBER + "/locations/" + LOCATION);
        assertThat(parents).allSatisfy(parent -> assertThat(condition.admits(parent))
                .as("%s (create, list)", parent).isTrue());
        assertThat(namesWritten).isNotEmpty().allSatisfy(name -> {
            assertThat(condition.admits(name)).as("%s (get, add version, delete)", name).isTrue();
            assertThat(condition.admits(name + "/versions/latest")).as("%s/versions/latest (access)", name).isTrue();
        });
        assertThat(othersSecrets()).allSatisfy(name -> assertThat(condition.admits(name)).as("%s", name).isFalse());
    }

    @Test
    void shouldLetHeadJobsReadRunSecretsOnly() {
        Condition condition = Condition.of(HEAD_JOB_CONDITION);

        assertThat(namesWritten).isNotEmpty().allSatisfy(name -> assertThat(condition.admits(name + "/versions/latest"))
                .as("%s/versions/latest", name).isTrue());
        assertThat(othersSecrets()).allSatisfy(name -> assertThat(condition.admits(name)).as("%s", name).isFalse());
        assertThat(condition.admits("projects/" + PROJECT_NUMBER)).as("the project itself").isFalse();
    }

    @Test
    void shouldExplainEveryPermissionAndTheImpersonationGrantInTheReadme() throws IOException {
        String readme = DeployFiles.read(DIR + "README.md");
        Set<String> calls = callsInSource();

        assertThat(readme).contains(calls.stream().map(call -> "`" + call + "`").toList())
                .contains(needed(calls).stream().map(permission -> "`" + permission + "`").toList());
        if (Files.readString(DeployFiles.path(SOURCES + "/GoogleCredentialsSource.java")).contains("ImpersonatedCredentials")) {
            assertThat(readme).as("the service impersonates service accounts").contains("roles/iam.serviceAccountTokenCreator");
        }
        assertThat(readme).contains("roles/secretmanager.secretAccessor");
    }

    // ---- the backend's source

    /**
     * The Secret Manager calls the backend's source names: {@code .createSecret(}, {@code .createSecretCallable(},
     * {@code .listSecretsPagedCallable(} or {@code ::deleteSecret}, for every RPC of the service, comments ignored.
     */
    static Set<String> callsInSource() {
        String code = withoutComments(sourcesOf(SOURCES));
        Set<String> calls = new TreeSet<>();
        for (String rpc : allCalls()) {
            String method = Character.toLowerCase(rpc.charAt(0)) + rpc.substring(1);
            Pattern use = Pattern.compile("(?:\\.\\s*" + method + "(?:Callable|PagedCallable)?\\s*\\("
                    + "|::\\s*" + method + "(?:Callable|PagedCallable)?\\b)");
            if (use.matcher(code).find()) {
                calls.add(rpc);
            }
        }
        return calls;
    }

    /** Every RPC of SecretManagerService v1, and the location mixin the client carries. */
    private static Set<String> allCalls() {
        Set<String> calls = SecretManagerServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(MethodDescriptor::getBareMethodName).collect(Collectors.toCollection(TreeSet::new));
        calls.add("ListLocations");
        calls.add("GetLocation");
        return calls;
    }

    private static List<String> needed(Set<String> calls) {
        return calls.stream().filter(PERMISSIONS::containsKey).map(call -> PERMISSIONS.get(call).permission())
                .distinct().toList();
    }

    private static String sourcesOf(String directory) {
        try (Stream<Path> files = Files.list(DeployFiles.path(directory))) {
            StringBuilder code = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                code.append(Files.readString(file)).append('\n');
            }
            assertThat(code).as("sources in %s", directory).isNotEmpty();
            return code.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }

    private static List<String> permissions(String roleFile) {
        List<String> permissions = new ArrayList<>();
        DeployFiles.yaml(roleFile).path("includedPermissions").forEach(p -> permissions.add(p.asText()));
        return permissions;
    }

    // ---- IAM conditions

    /**
     * A condition of the form the files use: terms joined by {@code ||}, each {@code resource.name.startsWith("...")}
     * or {@code !resource.name.contains("...")}, with PROJECT_NUMBER and LOCATION filled in. Anything else is refused,
     * so that the test never passes a condition it cannot evaluate.
     */
    private record Condition(List<String> prefixes, List<String> notContained) {

        private static final Pattern STARTS_WITH = Pattern.compile("resource\\.name\\.startsWith\\(\"([^\"]+)\"\\)");
        private static final Pattern NOT_CONTAINS = Pattern.compile("!resource\\.name\\.contains\\(\"([^\"]+)\"\\)");

        static Condition of(String file) {
            JsonNode condition = DeployFiles.yaml(file);
            assertThat(DeployFiles.textFields(condition).keySet()).as("%s: the fields of --condition-from-file", file)
                    .containsExactlyInAnyOrder("title", "description", "expression");
            String expression = condition.get("expression").asText()
                    .replace("PROJECT_NUMBER", PROJECT_NUMBER).replace("LOCATION", LOCATION);
            List<String> prefixes = new ArrayList<>();
            List<String> notContained = new ArrayList<>();
            for (String term : expression.split("\\|\\|")) {
                Matcher startsWith = STARTS_WITH.matcher(term.trim());
                Matcher notContains = NOT_CONTAINS.matcher(term.trim());
                if (startsWith.matches()) {
                    prefixes.add(startsWith.group(1));
                } else if (notContains.matches()) {
                    notContained.add(notContains.group(1));
                } else {
                    throw new AssertionError(file + ": a term this test cannot evaluate: " + term.trim());
                }
            }
            return new Condition(prefixes, notContained);
        }

        boolean admits(String resourceName) {
            return prefixes.stream().anyMatch(resourceName::startsWith)
                    || notContained.stream().anyMatch(part -> !resourceName.contains(part));
        }
    }

    /** Secrets of the same projects that are not run secrets: neither condition may admit them. */
    private static List<String> othersSecrets() {
        String project = "projects/" + PROJECT_NUMBER;
        return List.of(project + "/secrets/db-password", project + "/secrets/db-password/versions/latest",
                project + "/secrets/TOWER-x", project + "/secrets/towerx-1",
                project + "/locations/" + LOCATION + "/secrets/prod-api-key/versions/1");
    }

    // ---- driving the backend

    private static final GoogleCredentialsSource NO_CREDENTIALS = GoogleCredentialsSourceForTests.NONE;

    private GoogleBackendConfig config() {
        GoogleSecretIds ids = new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE);
        return new GoogleBackendConfig(INSTANCE_ID, new GoogleEnvironmentSettings(ids, false, PROJECT, null, null),
                Map.of(PINNED, new GoogleEnvironmentSettings(ids, false, PROJECT, LOCATION, null),
                        BUNDLED, new GoogleEnvironmentSettings(ids, true, PROJECT, null, null)),
                Set.of(PROJECT), Set.of(LOCATION), Set.of(), false, 60_000, 60_000, Duration.ofDays(3), LeasePolicy.NONE,
                URI.create("http://" + sm.endpoint()), Duration.ofSeconds(10), Deployment.of("cluster", "app"));
    }

    private List<StoredSecret> created(List<SecretOutcome> outcomes) {
        assertThat(outcomes).isNotEmpty().allMatch(SecretOutcome.Created.class::isInstance);
        List<StoredSecret> manifest = outcomes.stream()
                .map(o -> new StoredSecret(o.name(), ((SecretOutcome.Created) o).backendRef())).toList();
        manifest.forEach(entry -> namesWritten.add(entry.backendRef()
                .replace("projects/" + PROJECT + "/", "projects/" + PROJECT_NUMBER + "/")));
        return manifest;
    }

    private Map<String, Integer> callCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        allCalls().forEach(rpc -> counts.put(rpc, sm.state().calls(rpc)));
        return counts;
    }

    private static RunTarget run(String runId, String computeEnvId) {
        return new RunTarget(runId, "ws-1", "alice", computeEnvId, "google-batch", "us-central1", null, null);
    }

    private static List<io.pipelinesecrets.lifecycle.secrets.Secret> secrets(String value) {
        return List.of(secret("DB_PASSWORD", value), new io.pipelinesecrets.lifecycle.secrets.Secret(Scope.USER, "alice",
                "API_TOKEN", 1, SecretValue.of("user-token-" + value)));
    }

    private static io.pipelinesecrets.lifecycle.secrets.Secret secret(String name, String value) {
        return new io.pipelinesecrets.lifecycle.secrets.Secret(Scope.WORKSPACE, "ws-1", name, 1,
                SecretValue.of("workspace-value-" + value));
    }

    /** A secret the service did not create, labelled by another system, created over the double's gRPC directly. */
    private void createSecretOfAnotherSystem(String id) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(sm.endpoint()).usePlaintext().build();
        try {
            SecretManagerServiceGrpc.newBlockingStub(channel).createSecret(CreateSecretRequest.newBuilder()
                    .setParent("projects/" + PROJECT).setSecretId(id)
                    .setSecret(Secret.newBuilder().putLabels("managed-by", "someone-else")).build());
        } finally {
            channel.shutdownNow();
        }
    }
}
