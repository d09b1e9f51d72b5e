package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this test reads it: every service, port, volume and
 * environment variable it names must exist and match the service's configuration and CLI.
 */
class ComposeFileTest {

    private static final String SERVICE = "secrets-lifecycle";
    private static final String SETUP = "setup";
    private static final String DOCKERFILE = "services/secrets-lifecycle/Dockerfile";
    private static final String JAR_INVOCATION = "java -jar /app/secrets-lifecycle.jar ";
    /** CLI commands of the contract (contracts.md) being added in parallel; setup may use them before they land. */
    private static final Set<String> PLANNED_COMMANDS = Set.of("topics", "runs", "replay", "reconcile");
    private static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy", "service_completed_successfully");

    private final JsonNode compose = DeployFiles.yaml("docker-compose.yml");
    private final JsonNode services = compose.get("services");

    @Test
    void shouldDependOnlyOnServicesItDefinesWithConditionsTheyCanMeet() {
        services.properties().forEach(service -> dependencies(service.getValue()).forEach((target, condition) -> {
            assertThat(services.has(target)).as("%s depends on %s", service.getKey(), target).isTrue();
            assertThat(CONDITIONS).as("condition of %s -> %s", service.getKey(), target).contains(condition);
            if (condition.equals("service_healthy")) {
                assertThat(hasHealthcheck(services.get(target)))
                        .as("%s waits for %s to be healthy, which needs a healthcheck", service.getKey(), target).isTrue();
            }
        }));
    }

    @Test
    void shouldStartTheServiceOnlyAfterSetupSucceededAndItsBackendsAreHealthy() {
        assertThat(dependencies(services.get(SERVICE))).containsEntry(SETUP, "service_completed_successfully")
                .containsEntry("kafka", "service_healthy").containsEntry("schema-registry", "service_healthy")
                .containsEntry("localstack", "service_healthy");
        assertThat(dependencies(services.get(SETUP))).containsEntry("kafka", "service_healthy")
                .containsEntry("schema-registry", "service_healthy");
    }

    @Test
    void shouldDeclareEveryNamedVolumeAndFindEveryBindMount() {
        Set<String> declared = Set.copyOf(fieldNames(compose.get("volumes")));
        services.properties().forEach(service -> service.getValue().path("volumes").forEach(volume -> {
            String source = volume.asText().split(":")[0];
            if (source.startsWith(".") || source.startsWith("/")) {
                assertThat(DeployFiles.root().resolve(source).normalize()).as("bind mount of %s", service.getKey()).exists();
            } else {
                assertThat(declared).as("named volume of %s", service.getKey()).contains(source);
            }
        }));
    }

    @Test
    void shouldBuildTheServiceImageFromTheRepositoryDockerfile() {
        for (String name : List.of(SERVICE, SETUP)) {
            JsonNode build = services.get(name).get("build");
            assertThat(build).as("%s builds the image", name).isNotNull();
            Path context = DeployFiles.root().resolve(build.get("context").asText()).normalize();
            assertThat(context).as("the build is multi-module: context is the repository root").isEqualTo(DeployFiles.root());
            assertThat(context.resolve(build.get("dockerfile").asText()).normalize()).isEqualTo(DeployFiles.path(DOCKERFILE)).exists();
            assertThat(services.get(name).get("image").asText()).isEqualTo(services.get(SERVICE).get("image").asText());
        }
    }

    @Test
    void shouldSetOnlyEnvironmentVariablesTheServiceReads() {
        for (String name : List.of(SERVICE, SETUP)) {
            environment(name).keySet().stream().filter(variable -> variable.startsWith(ConfigLoader.ENV_PREFIX))
                    .forEach(variable -> assertThat(ConfigKeys.keyOf(variable))
                            .as("%s sets %s, which maps to no configuration key (docs/configuration.md)", name, variable)
                            .isPresent());
        }
        assertThat(environment(SETUP)).as("setup and service share one configuration").isEqualTo(environment(SERVICE));
    }

    @Test
    void shouldConfigureTheServiceFromItsEnvironmentAlone() {
        ServiceConfig config = serviceConfig();

        assertThat(config.filesystem()).as("filesystem backend").isPresent();
        assertThat(config.aws()).as("AWS backend").isPresent();
        assertThat(config.aws().orElseThrow().endpoint()).as("AWS backend pointed at the emulator").isNotNull();
        assertThat(config.schemaRegistryUrl()).doesNotStartWith("mock:");
        assertThat(config.autoRegisterSchemas()).as("schemas come from the setup job, as in production").isFalse();
    }

    @Test
    void shouldPointTheServiceAtTheComposeServicesOnTheirListeningPorts() {
        ServiceConfig config = serviceConfig();

        String[] bootstrap = config.bootstrapServers().split(":");
        assertThat(services.has(bootstrap[0])).as("Kafka host %s is a compose service", bootstrap[0]).isTrue();
        assertThat(environment("kafka").get("KAFKA_LISTENERS")).as("Kafka listens on %s", bootstrap[1])
                .containsPattern("PLAINTEXT://:" + bootstrap[1] + "(,|$)");
        assertThat(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS")).contains(config.bootstrapServers());

        URI registry = URI.create(config.schemaRegistryUrl());
        assertThat(services.has(registry.getHost())).as("registry host").isTrue();
        assertThat(containerPorts(registry.getHost())).as("registry port").contains(registry.getPort());
        assertThat(registry.getPath()).as("Apicurio serves the Confluent API here").isEqualTo("/apis/ccompat/v7");

        URI aws = config.aws().orElseThrow().endpoint();
        assertThat(services.has(aws.getHost())).as("AWS endpoint host").isTrue();
        assertThat(containerPorts(aws.getHost())).as("AWS endpoint port").contains(aws.getPort());
    }

    @Test
    void shouldPublishAndProbeTheAdminPortTheServiceListensOn() {
        int adminPort = serviceConfig().adminPort();

        assertThat(containerPorts(SERVICE)).containsExactly(adminPort);
        assertThat(services.get(SERVICE).get("healthcheck").get("test").toString())
                .contains("127.0.0.1:" + adminPort + "/health/ready");
        JsonNode prometheus = DeployFiles.yaml("deploy/prometheus/prometheus.yml");
        List<String> targets = new ArrayList<>();
        prometheus.get("scrape_configs").forEach(job -> job.path("static_configs")
                .forEach(c -> c.get("targets").forEach(t -> targets.add(t.asText()))));
        assertThat(targets).as("Prometheus scrapes the admin port").contains(SERVICE + ":" + adminPort);
    }

    @Test
    void shouldKeepStateAndFilesystemSecretsOnNamedVolumes() {
        ServiceConfig config = serviceConfig();
        Map<String, String> mounts = new HashMap<>();
        services.get(SERVICE).get("volumes").forEach(v -> mounts.put(v.asText().split(":")[1], v.asText().split(":")[0]));

        assertThat(mounts).as("state.dir").containsKey(config.stateDirectory().toString());
        for (Path root : config.filesystem().orElseThrow().allowedRoots()) {
            assertThat(mounts).as("filesystem root %s", root).containsKey(root.toString());
        }
    }

    @Test
    void shouldPublishEachHostPortOnce() {
        List<String> hostPorts = new ArrayList<>();
        services.forEach(service -> service.path("ports").forEach(p -> hostPorts.add(p.asText().split(":")[0])));

        assertThat(hostPorts).doesNotHaveDuplicates().isNotEmpty();
    }

    @Test
    void shouldRunTopicsApplyThenSchemasRegisterInSetup() {
        assertThat(setupInvocations()).extracting(args -> args.get(0) + " " + args.get(1))
                .containsExactly("topics apply", "schemas register");
    }

    /** One test per command setup runs: parsed by the real CLI once the command exists there. */
    @TestFactory
    Stream<DynamicTest> setupRunsRealCliCommands() {
        return setupInvocations().stream().map(args -> DynamicTest.dynamicTest(String.join(" ", args), () -> {
            CommandLine cli = PipelineSecretsCli.commandLine();
            String command = args.get(0);
            if (!cli.getSubcommands().containsKey(command)) {
                assertThat(PLANNED_COMMANDS).as("'%s' is neither a CLI command nor one the contract plans", command)
                        .contains(command);
                Assumptions.abort("'" + command + "' is not in the CLI yet (contracts.md plans it); its arguments are"
                        + " checked once it lands");
            }
            assertThatCode(() -> cli.parseArgs(args.toArray(String[]::new))).as("picocli parses %s", args)
                    .doesNotThrowAnyException();
            urlOption(args).ifPresent(url -> assertThat(url)
                    .as("setup registers with the registry the service reads").isEqualTo(serviceConfig().schemaRegistryUrl()));
        }));
    }

    // ---- helpers

    /** Each `java -jar /app/secrets-lifecycle.jar ...` line of setup's shell script, as its CLI arguments. */
    private List<List<String>> setupInvocations() {
        JsonNode setup = services.get(SETUP);
        assertThat(setup.get("entrypoint").toString()).as("setup runs a shell script").contains("/bin/sh");
        String script = setup.get("command").get(0).asText();
        List<List<String>> invocations = new ArrayList<>();
        for (String line : script.split("\\R|&&")) {
            String command = line.strip();
            if (command.isEmpty()) {
                continue;
            }
            assertThat(command).as("every setup step runs the service's jar").startsWith(JAR_INVOCATION);
            invocations.add(Arrays.asList(command.substring(JAR_INVOCATION.length()).strip().split("\\s+")));
        }
        assertThat(invocations).isNotEmpty();
        return invocations;
    }

    private static Optional<String> urlOption(List<String> args) {
        int index = args.indexOf("--url");
        return index < 0 ? Optional.empty() : Optional.of(args.get(index + 1));
    }

    private ServiceConfig serviceConfig() {
        Map<String, String> environment = new TreeMap<>(environment(SERVICE));
        environment.keySet().removeIf(name -> !name.startsWith(ConfigLoader.ENV_PREFIX));
        return ConfigLoader.load(Optional.empty(), environment);
    }

    private Map<String, String> environment(String service) {
        JsonNode environment = services.get(service).get("environment");
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment != null && environment.isArray()) {
            environment.forEach(entry -> {
                String[] pair = entry.asText().split("=", 2);
                variables.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        } else {
            variables.putAll(DeployFiles.textFields(environment));
        }
        return variables;
    }

    /** Ports the container listens on: the container side of the service's published ports. */
    private List<Integer> containerPorts(String service) {
        List<Integer> ports = new ArrayList<>();
        services.get(service).path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            ports.add(Integer.parseInt(parts[parts.length - 1].split("/")[0]));
        });
        return ports;
    }

    private static Map<String, String> dependencies(JsonNode service) {
        JsonNode dependsOn = service.get("depends_on");
        Map<String, String> dependencies = new TreeMap<>();
        if (dependsOn == null) {
            return dependencies;
        }
        if (dependsOn.isArray()) {
            dependsOn.forEach(target -> dependencies.put(target.asText(), "service_started"));
        } else {
            dependsOn.properties().forEach(e -> dependencies.put(e.getKey(),
                    e.getValue().path("condition").asText("service_started")));
        }
        return dependencies;
    }

    /** A healthcheck in the compose file, or the HEALTHCHECK of the service's own image. */
    private static boolean hasHealthcheck(JsonNode service) {
        JsonNode healthcheck = service.get("healthcheck");
        if (healthcheck != null) {
            return !healthcheck.path("disable").asBoolean(false) && healthcheck.has("test");
        }
        return service.has("build") && imageHealthcheck();
    }

    private static boolean imageHealthcheck() {
        try {
            return Files.readString(DeployFiles.path(DOCKERFILE)).lines().anyMatch(l -> l.startsWith("HEALTHCHECK"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        if (node != null) {
            node.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }
}
