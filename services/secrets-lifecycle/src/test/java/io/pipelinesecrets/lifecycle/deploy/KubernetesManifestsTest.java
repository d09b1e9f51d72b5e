package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.config.ServiceKeys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kustomize base and the example overlay, rendered by {@code kubectl kustomize} (no cluster: a client-side
 * dry run still asks a server for its API list, so the rendered YAML is checked here instead) and held against
 * the service's configuration: probes on the admin port, the state directory on the volume claim, the
 * ConfigMap's properties accepted by {@link ConfigLoader}, the admin token from a mounted Secret and a
 * NetworkPolicy that lets only Prometheus reach the admin port.
 */
class KubernetesManifestsTest {

    private static final String BASE = "deploy/kubernetes/base";
    private static final String OVERLAY = "deploy/kubernetes/overlays/example";
    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    @TempDir
    Path temp;

    @BeforeAll
    static void requireKubectl() {
        Assumptions.assumeTrue(kubectl().isPresent(), "kubectl is not installed (looked on PATH and in /usr/bin):"
                + " the Kubernetes manifests are not validated");
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldRunAStatefulSetWithTheStateDirectoryOnItsVolumeClaim(String kustomization) throws IOException {
        JsonNode statefulSet = one(kustomization, "StatefulSet");
        ServiceConfig config = configOf(kustomization);

        List<String> claims = new ArrayList<>();
        statefulSet.at("/spec/volumeClaimTemplates").forEach(c -> claims.add(c.at("/metadata/name").asText()));
        assertThat(claims).isNotEmpty();
        assertThat(mountPaths(container(statefulSet))).as("a claim is mounted at state.dir")
                .containsEntry(config.stateDirectory().toString(), claims.get(0));
        assertThat(statefulSet.at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage").asText()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldProbeLivenessAndReadinessOnTheAdminPort(String kustomization) throws IOException {
        JsonNode container = container(one(kustomization, "StatefulSet"));
        int adminPort = configOf(kustomization).adminPort();

        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            if (container.has(probe)) {
                assertThat(containerPort(container, container.get(probe).at("/httpGet/port")))
                        .as("%s port", probe).isEqualTo(adminPort);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldRunAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp(String kustomization) {
        JsonNode pod = one(kustomization, "StatefulSet").at("/spec/template/spec");
        JsonNode container = container(one(kustomization, "StatefulSet"));

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean() || container.at("/securityContext/runAsNonRoot").asBoolean())
                .as("runAsNonRoot").isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isPositive();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        String tmpVolume = mountPaths(container).get("/tmp");
        assertThat(tmpVolume).as("/tmp is mounted").isNotNull();
        assertThat(volume(pod, tmpVolume).has("emptyDir")).as("/tmp is an emptyDir").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldRequestAndLimitResources(String kustomization) {
        JsonNode resources = container(one(kustomization, "StatefulSet")).get("resources");

        assertThat(resources.at("/requests/cpu").asText()).isNotEmpty();
        assertThat(resources.at("/requests/memory").asText()).isNotEmpty();
        assertThat(resources.at("/limits/memory").asText()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldSelectTheServicePodsWithThePdbAndBothServices(String kustomization) {
        JsonNode statefulSet = one(kustomization, "StatefulSet");
        Map<String, String> podLabels = DeployFiles.textFields(statefulSet.at("/spec/template/metadata/labels"));
        JsonNode pdb = one(kustomization, "PodDisruptionBudget");
        JsonNode headless = service(kustomization, statefulSet.at("/spec/serviceName").asText());

        assertThat(podLabels).containsAllEntriesOf(DeployFiles.textFields(statefulSet.at("/spec/selector/matchLabels")));
        assertThat(DeployFiles.textFields(pdb.at("/spec/selector/matchLabels"))).isNotEmpty()
                .allSatisfy((key, value) -> assertThat(podLabels).containsEntry(key, value));
        assertThat(pdb.at("/spec/maxUnavailable").asInt(0) + pdb.at("/spec/minAvailable").asInt(0)).isPositive();
        assertThat(headless.at("/spec/clusterIP").asText()).as("the StatefulSet's service is headless").isEqualTo("None");
        for (JsonNode service : all(kustomization, "Service")) {
            assertThat(DeployFiles.textFields(service.at("/spec/selector"))).isNotEmpty()
                    .allSatisfy((key, value) -> assertThat(podLabels).containsEntry(key, value));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldExposeAndAnnotateTheAdminPortForPrometheus(String kustomization) throws IOException {
        JsonNode statefulSet = one(kustomization, "StatefulSet");
        int adminPort = configOf(kustomization).adminPort();
        JsonNode admin = all(kustomization, "Service").stream()
                .filter(s -> !s.at("/spec/clusterIP").asText().equals("None")).findFirst().orElseThrow();

        assertThat(containerPort(container(statefulSet), admin.at("/spec/ports/0/targetPort"))).isEqualTo(adminPort);
        Map<String, String> annotations = DeployFiles.textFields(statefulSet.at("/spec/template/metadata/annotations"));
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(adminPort)).containsEntry("prometheus.io/path", "/metrics");
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldRunWithAServiceAccountCarryingAnIrsaRole(String kustomization) {
        JsonNode account = one(kustomization, "ServiceAccount");

        assertThat(one(kustomization, "StatefulSet").at("/spec/template/spec/serviceAccountName").asText())
                .isEqualTo(account.at("/metadata/name").asText());
        assertThat(account.at("/metadata/annotations").get("eks.amazonaws.com/role-arn").asText())
                .startsWith("arn:aws:iam::").contains(":role/");
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldStartWithTheConfigMapsPropertiesUsingOnlyKnownKeys(String kustomization) throws IOException {
        JsonNode container = container(one(kustomization, "StatefulSet"));
        Properties properties = properties(kustomization);

        assertThat(container.get("args").toString()).contains("\"run\"").contains("\"--config\"");
        properties.stringPropertyNames().stream().filter(key -> key.startsWith("kafka.") && !ServiceKeys.BY_NAME.containsKey(key))
                .forEach(key -> assertThat(ConfigKeys.isKnownKafkaSetting(key)).as("%s is a Kafka setting", key).isTrue());
        environment(container).keySet().stream().filter(name -> name.startsWith(ConfigLoader.ENV_PREFIX))
                .forEach(name -> assertThat(ConfigKeys.keyOf(name)).as("%s maps to a configuration key", name).isPresent());
        // Loading is the check that matters: ConfigLoader refuses unknown keys and invalid values.
        ServiceConfig config = configOf(kustomization);
        assertThat(config.autoRegisterSchemas()).as("production pre-registers schemas").isFalse();
        assertThat(config.schemaRegistryUrl()).doesNotStartWith("mock:");
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldRunWithTheInstanceIdTheServicePolicysManagedByConditionsName(String kustomization) throws IOException {
        String instanceId = configOf(kustomization).instanceId();

        assertThat(ServicePolicy.managedByValues()).as("managed-by in %s: otherwise every create is denied", ServicePolicy.FILE)
                .isNotEmpty().containsOnly(instanceId);
    }

    @Test
    void shouldDeployTheExampleOverlayInItsNamespaceWithThreeInstancesOfAPinnedImage() {
        JsonNode statefulSet = one(OVERLAY, "StatefulSet");

        assertThat(rendered(OVERLAY)).allSatisfy(resource ->
                assertThat(resource.at("/metadata/namespace").asText()).as("%s", resource.get("kind")).isEqualTo("pipeline-secrets"));
        assertThat(statefulSet.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(container(statefulSet).get("image").asText()).isNotEqualTo(container(one(BASE, "StatefulSet")).get("image").asText())
                .matches(".+:[\\w.-]+").doesNotEndWith(":latest");
        assertThat(one(OVERLAY, "ServiceAccount").at("/metadata/annotations").get("eks.amazonaws.com/role-arn").asText())
                .matches("arn:aws:iam::\\d{12}:role/.+");
    }

    @Test
    void shouldTakeTheOverlaysSaslCredentialsFromASecret() throws IOException {
        JsonNode container = container(one(OVERLAY, "StatefulSet"));
        Properties properties = properties(OVERLAY);
        Map<String, JsonNode> fromSecrets = new TreeMap<>();
        container.path("env").forEach(e -> {
            if (e.has("valueFrom") && e.get("valueFrom").has("secretKeyRef")) {
                fromSecrets.put(e.get("name").asText(), e.at("/valueFrom/secretKeyRef"));
            }
        });

        assertThat(properties.getProperty("kafka.security.protocol")).startsWith("SASL_");
        assertThat(properties.stringPropertyNames()).noneMatch(key -> key.contains("jaas") || key.contains("password")
                || key.contains("user-info"));
        assertThat(fromSecrets).containsKey(ConfigLoader.environmentName("kafka.sasl.jaas.config"));
        assertThat(fromSecrets.values()).allSatisfy(ref -> assertThat(ref.get("name").asText()).isNotEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldAdmitOnlyTheAdminPortFromSelectedPeersWithANetworkPolicyOnTheServicePods(String kustomization) throws IOException {
        JsonNode statefulSet = one(kustomization, "StatefulSet");
        JsonNode container = container(statefulSet);
        Map<String, String> podLabels = DeployFiles.textFields(statefulSet.at("/spec/template/metadata/labels"));
        JsonNode policy = one(kustomization, "NetworkPolicy");
        int adminPort = configOf(kustomization).adminPort();

        assertThat(selects(policy.at("/spec/podSelector"), podLabels)).as("the policy selects the service's pods").isTrue();
        assertThat(DeployFiles.textFields(policy.at("/spec/podSelector/matchLabels"))).as("and not every pod").isNotEmpty();
        assertThat(policy.at("/spec/policyTypes").toString()).contains("\"Ingress\"");
        JsonNode rules = policy.at("/spec/ingress");
        assertThat(rules.size()).as("ingress rules").isPositive();
        for (JsonNode rule : rules) {
            assertThat(rule.path("ports").size()).as("a rule without ports admits every port").isPositive();
            rule.get("ports").forEach(port -> {
                assertThat(port.path("protocol").asText("TCP")).isEqualTo("TCP");
                assertThat(containerPort(container, port.get("port"))).as("admitted port").isEqualTo(adminPort);
            });
            assertThat(rule.path("from").size()).as("a rule without peers admits everyone").isPositive();
            rule.get("from").forEach(peer -> {
                assertThat(peer.has("ipBlock")).as("peers are chosen by label, not by address").isFalse();
                assertThat(peer.has("namespaceSelector")).as("peers are chosen in a namespace").isTrue();
                assertThat(peer.at("/namespaceSelector/matchLabels").size() + peer.at("/namespaceSelector/matchExpressions").size())
                        .as("the namespace selector names a namespace, not every one").isPositive();
                // kustomize writes the base's labels into a NetworkPolicy's matchLabels, peers included: this is
                // what would make "Prometheus pods" mean "our own pods".
                assertThat(peer.has("podSelector") && selects(peer.get("podSelector"), podLabels))
                        .as("the peer selector %s does not select the service's own pods", peer.get("podSelector")).isFalse();
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, OVERLAY})
    void shouldReadTheAdminTokenFromAMountedSecretFileAndNeverFromALiteral(String kustomization) throws IOException {
        JsonNode statefulSet = one(kustomization, "StatefulSet");
        JsonNode container = container(statefulSet);
        Properties properties = properties(kustomization);
        String tokenFile = properties.getProperty("admin.token-file");

        assertThat(tokenFile).as("admin.token-file in the ConfigMap").isNotBlank();
        assertThat(properties.stringPropertyNames()).doesNotContain("admin.token");
        String volumeName = mountPaths(container).get(Path.of(tokenFile).getParent().toString());
        assertThat(volumeName).as("admin.token-file %s lies on a mounted volume", tokenFile).isNotNull();
        JsonNode volume = volume(statefulSet.at("/spec/template/spec"), volumeName);
        assertThat(volume.at("/secret/secretName").asText()).as("the volume at %s is a Secret", tokenFile).isNotEmpty();
        assertThat(volume.at("/secret/optional").asBoolean(false)).as("a missing Secret stops the pod").isFalse();
        container.path("volumeMounts").forEach(mount -> {
            if (mount.get("name").asText().equals(volumeName)) {
                assertThat(mount.path("readOnly").asBoolean()).as("the token is mounted read-only").isTrue();
            }
        });
        assertThat(environment(container)).doesNotContainKey(ConfigLoader.environmentName("admin.token"));
        assertThat(all(kustomization, "Secret")).as("no Secret (no token) is rendered from the repository").isEmpty();
        assertThat(configOf(kustomization).adminAccess().token()).as("the mounted file's token is used").isPresent();
    }

    // ---- rendering
    // ---- rendering

    private static Optional<Path> kubectl() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "kubectl"));
            }
        }
        candidates.add(Path.of("/usr/bin/kubectl"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static List<JsonNode> rendered(String kustomization) {
        return RENDERED.computeIfAbsent(kustomization, KubernetesManifestsTest::render);
    }

    private static List<JsonNode> render(String kustomization) {
        try {
            Process process = new ProcessBuilder(kubectl().orElseThrow().toString(), "kustomize",
                    DeployFiles.path(kustomization).toString()).redirectErrorStream(false).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize %s: %s", kustomization,
                    new String(err, StandardCharsets.UTF_8)).isZero();
            List<JsonNode> documents = DeployFiles.yamlDocuments(new String(out, StandardCharsets.UTF_8));
            assertThat(documents).as("rendered resources").isNotEmpty();
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> all(String kustomization, String kind) {
        return rendered(kustomization).stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode one(String kustomization, String kind) {
        List<JsonNode> found = all(kustomization, kind);
        assertThat(found).as("one %s in %s", kind, kustomization).hasSize(1);
        return found.get(0);
    }

    private static JsonNode service(String kustomization, String name) {
        return all(kustomization, "Service").stream().filter(s -> s.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no Service " + name + " in " + kustomization));
    }

    private static JsonNode container(JsonNode statefulSet) {
        JsonNode containers = statefulSet.at("/spec/template/spec/containers");
        assertThat(containers.size()).as("one container").isEqualTo(1);
        return containers.get(0);
    }

    private static Map<String, String> mountPaths(JsonNode container) {
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.get("mountPath").asText(), m.get("name").asText()));
        return mounts;
    }

    private static JsonNode volume(JsonNode podSpec, String name) {
        for (JsonNode volume : podSpec.path("volumes")) {
            if (volume.get("name").asText().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    /** A probe's or Service's port, by number or by the container port's name. */
    private static int containerPort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode declared : container.path("ports")) {
            if (declared.path("name").asText().equals(port.asText())) {
                return declared.get("containerPort").asInt();
            }
        }
        throw new AssertionError("container declares no port named " + port);
    }

    /** The literal environment of the container; values from Secrets stand in as a placeholder. */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> environment = new TreeMap<>();
        container.path("env").forEach(e -> environment.put(e.get("name").asText(),
                e.has("value") ? e.get("value").asText() : "value-from-" + e.at("/valueFrom").fieldNames().next()));
        return environment;
    }

    private static Properties properties(String kustomization) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(configFile(kustomization)));
        return properties;
    }

    /** The properties file the container reads with --config, from the ConfigMap mounted at its directory. */
    private static String configFile(String kustomization) {
        JsonNode statefulSet = one(kustomization, "StatefulSet");
        JsonNode container = container(statefulSet);
        List<String> args = new ArrayList<>();
        container.get("args").forEach(a -> args.add(a.asText()));
        Path configFile = Path.of(args.get(args.indexOf("--config") + 1));
        String volumeName = mountPaths(container).get(configFile.getParent().toString());
        assertThat(volumeName).as("--config %s lies on a mounted volume", configFile).isNotNull();
        String configMapName = volume(statefulSet.at("/spec/template/spec"), volumeName).at("/configMap/name").asText();
        JsonNode configMap = all(kustomization, "ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().equals(configMapName)).findFirst()
                .orElseThrow(() -> new AssertionError("the ConfigMap " + configMapName + " is not rendered"));
        JsonNode file = configMap.at("/data").get(configFile.getFileName().toString());
        assertThat(file).as("the ConfigMap %s holds %s", configMapName, configFile.getFileName()).isNotNull();
        return file.asText();
    }

    /**
     * The configuration the container starts with: the ConfigMap's file (via a temp copy) plus its environment.
     * The admin token's Secret exists only in a cluster: a temp file with a token stands in for it.
     */
    private ServiceConfig configOf(String kustomization) throws IOException {
        String name = kustomization.replace('/', '-');
        Path file = Files.writeString(temp.resolve(name + ".properties"), configFile(kustomization));
        Map<String, String> environment = new TreeMap<>(environment(container(one(kustomization, "StatefulSet"))));
        environment.keySet().removeIf(variable -> !variable.startsWith(ConfigLoader.ENV_PREFIX));
        if (properties(kustomization).getProperty("admin.token-file") != null) {
            Path token = Files.writeString(temp.resolve(name + ".admin-token"), "stand-in-for-the-mounted-secret\n");
            environment.put(ConfigLoader.environmentName("admin.token-file"), token.toString());
        }
        return ConfigLoader.load(Optional.of(file), environment);
    }

    /** Whether a Kubernetes label selector (matchLabels and matchExpressions) selects these labels. */
    private static boolean selects(JsonNode selector, Map<String, String> labels) {
        boolean matches = DeployFiles.textFields(selector.path("matchLabels")).entrySet().stream()
                .allMatch(label -> label.getValue().equals(labels.get(label.getKey())));
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.get(expression.get("key").asText());
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            matches &= switch (expression.get("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator in " + expression);
            };
        }
        return matches;
    }
}
