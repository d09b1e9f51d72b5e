package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.backend.aws.AwsComputeEnvBindings;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemComputeEnvBindings;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The precedence (environment over file over defaults), the formats and the "every problem at once" promise of
 * {@link ConfigLoader}. The environment is always a map handed in, never the process's own.
 */
class ConfigLoaderTest {

    private static final String BOOTSTRAP = "PIPELINE_SECRETS_KAFKA_BOOTSTRAP_SERVERS";
    private static final String REGISTRY = "PIPELINE_SECRETS_SCHEMA_REGISTRY_URL";
    private static final String INSTANCE = "PIPELINE_SECRETS_INSTANCE_ID";

    @TempDir
    Path dir;

    // ---- defaults, file, environment

    @Test
    void shouldUseTheDefaultsForEverythingButTheRequiredSettings() {
        ServiceConfig config = ConfigLoader.load(Optional.empty(), required());

        assertThat(config.applicationId()).isEqualTo("secrets-lifecycle");
        assertThat(config.instanceId()).as("no default: each deployment names itself").isEqualTo("config-test");
        assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(config.schemaRegistryUrl()).isEqualTo("mock://config-test");
        assertThat(config.autoRegisterSchemas()).isFalse();
        assertThat(config.topics()).isEqualTo(ServiceTopics.DEFAULTS);
        assertThat(config.stateDirectory()).isEqualTo(Path.of("/var/lib/secrets-lifecycle"));
        assertThat(config.filesystem()).isEmpty();
        assertThat(config.policy()).isEqualTo(LifecyclePolicy.DEFAULTS);
        assertThat(config.punctuationInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.adminHost()).isEqualTo("0.0.0.0");
        assertThat(config.adminPort()).isEqualTo(8080);
        assertThat(config.kafka()).isEmpty();
        assertThat(config.topicSizing()).isEqualTo(TopicSizing.DEFAULTS);
    }

    @Test
    void shouldReadEveryKnownKeyFromTheFile() throws IOException {
        Path file = properties("""
                application.id=lifecycle-prod
                instance.id=eu-1
                kafka.bootstrap.servers=kafka-1:9092,kafka-2:9092
                schema.registry.url=http://registry:8081
                schema.registry.auto-register=true
                topics.launched=t.launched
                topics.completed=t.completed
                topics.secrets=t.secrets
                topics.audit=t.audit
                topics.dlq=t.dlq
                topics.partitions=12
                topics.replication-factor=2
                state.dir=/data/state
                filesystem.allowed-roots=/shared/a, /shared/b
                filesystem.default-root=/shared/a/default
                lifecycle.stale-launch-age=PT12H
                lifecycle.max-provision-attempts=3
                lifecycle.retry-initial-backoff=250ms
                lifecycle.retry-max-backoff=2m
                lifecycle.punctuation-interval=50ms
                admin.host=127.0.0.1
                admin.port=9090
                """);

        ServiceConfig config = ConfigLoader.load(Optional.of(file), Map.of());

        assertThat(config.applicationId()).isEqualTo("lifecycle-prod");
        assertThat(config.instanceId()).isEqualTo("eu-1");
        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(config.schemaRegistryUrl()).isEqualTo("http://registry:8081");
        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.topics()).isEqualTo(new ServiceTopics("t.launched", "t.completed", "t.secrets", "t.audit", "t.dlq"));
        assertThat(config.topicSizing()).isEqualTo(new TopicSizing(12, (short) 2));
        assertThat(config.stateDirectory()).isEqualTo(Path.of("/data/state"));
        assertThat(config.filesystem()).contains(new FilesystemBackendConfig(
                List.of(Path.of("/shared/a"), Path.of("/shared/b")), Path.of("/shared/a/default"), "eu-1"));
        assertThat(config.policy()).isEqualTo(new LifecyclePolicy(Duration.ofHours(12), 3, Duration.ofMillis(250),
                Duration.ofMinutes(2)));
        assertThat(config.punctuationInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.adminHost()).isEqualTo("127.0.0.1");
        assertThat(config.adminPort()).isEqualTo(9090);
        assertThat(config.kafka()).as("our own bootstrap key is not passed through twice").isEmpty();
    }

    @Test
    void shouldLetEnvironmentVariablesOverrideTheFile() throws IOException {
        Path file = properties("""
                kafka.bootstrap.servers=from-file:9092
                schema.registry.url=http://from-file:8081
                lifecycle.stale-launch-age=PT12H
                admin.port=9090
                topics.audit=file.audit
                """);
        Map<String, String> environment = Map.of(
                BOOTSTRAP, "from-env:9092",
                "PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE", "30m",
                "PIPELINE_SECRETS_ADMIN_PORT", " 7070 ",
                "PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/env/root",
                INSTANCE, "env-instance");

        ServiceConfig config = ConfigLoader.load(Optional.of(file), environment);

        assertThat(config.bootstrapServers()).isEqualTo("from-env:9092");
        assertThat(config.policy().staleLaunchAge()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.adminPort()).as("values are trimmed").isEqualTo(7070);
        assertThat(config.filesystem()).map(FilesystemBackendConfig::allowedRoots).contains(List.of(Path.of("/env/root")));
        assertThat(config.schemaRegistryUrl()).as("the file still supplies what the environment does not")
                .isEqualTo("http://from-file:8081");
        assertThat(config.topics().audit()).isEqualTo("file.audit");
    }

    @Test
    void shouldNameTheEnvironmentVariableOfEveryKeyByUpperCasingAndReplacingDotsAndDashes() {
        assertThat(ConfigLoader.environmentName("lifecycle.stale-launch-age"))
                .isEqualTo("PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE");
        assertThat(ConfigLoader.environmentName("kafka.bootstrap.servers")).isEqualTo(BOOTSTRAP);
        Map<String, String> everyKey = new HashMap<>();
        ServiceKeys.ALL.forEach(key -> everyKey.put(key.environmentName(), "x"));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), everyKey));

        assertThat(e).as("'x' is not a valid duration, so some keys must complain").isNotNull();
        assertThat(e.problems()).noneMatch(p -> p.contains("unknown environment variable"));
    }

    // ---- Kafka passthrough

    @Test
    void shouldPassKafkaSettingsThroughFromTheFileWithTheEnvironmentWinning() throws IOException {
        Path file = properties("""
                kafka.bootstrap.servers=broker:9092
                schema.registry.url=mock://x
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=PLAIN
                kafka.num.stream.threads=4
                """);
        Map<String, String> environment = Map.of(
                "PIPELINE_SECRETS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "PIPELINE_SECRETS_KAFKA_SASL_JAAS_CONFIG", "org.example.Login required;");

        ServiceConfig config = ConfigLoader.load(Optional.of(file), environment);

        assertThat(config.kafka()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.example.Login required;",
                "num.stream.threads", "4"));
    }

    @Test
    void shouldTakeTheBootstrapServersFromTheEnvironmentAndNeverPassThemThroughAsAKafkaSetting() {
        ServiceConfig config = ConfigLoader.load(Optional.empty(), Map.of(
                BOOTSTRAP, "env-broker:9092", REGISTRY, "mock://x"));

        assertThat(config.bootstrapServers()).isEqualTo("env-broker:9092");
        assertThat(config.kafka()).doesNotContainKey("bootstrap.servers");
    }

    // ---- durations

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({
            "PT30S, 30000",
            "pt1m, 60000",
            "P1D, 86400000",
            "PT0.5S, 500",
            "500ms, 500",
            "10s, 10000",
            "5m, 300000",
            "24h, 86400000",
            "2d, 172800000",
            "10S, 10000",
    })
    void shouldReadDurationsInIsoAndShortForms(String text, long millis) {
        ServiceConfig config = ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_LIFECYCLE_RETRY_MAX_BACKOFF", text));

        assertThat(config.policy().maxBackoff()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @ValueSource(strings = {"soon", "10 minutes", "10 s", "5x", "ms", "1.5s", "PT", "P1Y", ""})
    void shouldRejectATextThatIsNotADurationNamingTheKeyAndTheAcceptedForms(String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_LIFECYCLE_PUNCTUATION_INTERVAL", text)));

        assertThat(e).as("'%s' must not be accepted", text).isNotNull();
        assertThat(e.problems()).singleElement().asString()
                .startsWith("lifecycle.punctuation-interval=")
                .contains("500ms", "PT30S");
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @ValueSource(strings = {"-5s", "PT-1S", "0ms"})
    void shouldRejectANegativeOrZeroPunctuationInterval(String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_LIFECYCLE_PUNCTUATION_INTERVAL", text)));

        assertThat(e).as("'%s' must not be accepted", text).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("lifecycle.punctuation-interval");
    }

    @Test
    void shouldRejectADurationTooLargeToRepresent() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE", "3000000000000h")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("lifecycle.stale-launch-age");
    }

    // ---- problems

    @Test
    void shouldReportEveryProblemAtOnceEachNamingItsKey() {
        Map<String, String> environment = Map.of(
                "PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE", "a while",
                "PIPELINE_SECRETS_ADMIN_PORT", "99999");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("kafka.bootstrap.servers is required")
                .contains(BOOTSTRAP));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("schema.registry.url is required")
                .contains(REGISTRY));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("lifecycle.stale-launch-age=a while"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("admin.port=99999").contains("0-65535"));
        assertThat(e.getMessage()).startsWith("invalid configuration:")
                .contains(e.problems().get(0), e.problems().get(3));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "PIPELINE_SECRETS_ADMIN_PORT, http, admin.port=http",
            "PIPELINE_SECRETS_ADMIN_PORT, -1, admin.port=-1",
            "PIPELINE_SECRETS_LIFECYCLE_MAX_PROVISION_ATTEMPTS, 0, lifecycle.max-provision-attempts=0",
            "PIPELINE_SECRETS_LIFECYCLE_MAX_PROVISION_ATTEMPTS, many, lifecycle.max-provision-attempts=many",
            "PIPELINE_SECRETS_SCHEMA_REGISTRY_AUTO_REGISTER, yes, schema.registry.auto-register=yes",
            "PIPELINE_SECRETS_TOPICS_PARTITIONS, 0, topics.partitions=0",
            "PIPELINE_SECRETS_TOPICS_REPLICATION_FACTOR, three, topics.replication-factor=three",
            "PIPELINE_SECRETS_TOPICS_REPLICATION_FACTOR, 40000, topics.replication-factor=40000",
    })
    void shouldRejectAValueOfTheWrongKindNamingTheKey(String variable, String value, String expectedStart) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with(variable, value)));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith(expectedStart);
    }

    @Test
    void shouldReportUnknownKeysInTheFileAndUnknownVariablesWithOurPrefix() throws IOException {
        Path file = properties("""
                kafka.bootstrap.servers=broker:9092
                schema.registry.url=mock://x
                lifecycle.stale-launch-agee=PT1H
                """);
        Map<String, String> environment = Map.of(
                "PIPELINE_SECRETS_ADMIN_PROT", "9090",
                "PATH", "/usr/bin",
                "KAFKA_HEAP_OPTS", "-Xmx1g");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(file), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("lifecycle.stale-launch-agee: unknown key").contains(file.toString()));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("PIPELINE_SECRETS_ADMIN_PROT: unknown environment variable"));
    }

    @Test
    void shouldReportAnUnreadableConfigFileTogetherWithTheOtherProblems() {
        Path missing = dir.resolve("does-not-exist.properties");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(missing), Map.of(REGISTRY, "mock://x")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("--config " + missing + ": cannot read").contains("NoSuchFileException"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("kafka.bootstrap.servers is required"));
    }

    // ---- filesystem roots

    @Test
    void shouldConfigureTheFilesystemBackendOnlyWhenAllowedRootsAreGiven() {
        ServiceConfig without = ConfigLoader.load(Optional.empty(), required());
        ServiceConfig with = ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared/secrets/../secrets, ,/other"));

        assertThat(without.filesystem()).isEmpty();
        assertThat(with.filesystem()).hasValueSatisfying(fs -> {
            assertThat(fs.allowedRoots()).as("normalised, blanks dropped")
                    .containsExactly(Path.of("/shared/secrets"), Path.of("/other"));
            assertThat(fs.defaultRootIfSet()).isEmpty();
        });
    }

    @Test
    void shouldRejectARelativeAllowedRootNamingTheKey() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared/ok,relative/dir")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString()
                .contains(FilesystemBackendConfig.ALLOWED_ROOTS_KEY).contains("relative/dir").contains("not absolute");
    }

    @Test
    void shouldRejectADefaultRootWithoutAllowedRoots() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_FILESYSTEM_DEFAULT_ROOT", "/shared/secrets")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString()
                .contains("filesystem.default-root").contains("filesystem.allowed-roots");
    }

    @Test
    void shouldRejectADefaultRootOutsideTheAllowedRoots() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared/secrets");
        environment.put("PIPELINE_SECRETS_FILESYSTEM_DEFAULT_ROOT", "/tmp/elsewhere");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), environment))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .contains("filesystem.default-root").contains("/tmp/elsewhere").contains("not inside"));
    }

    @Test
    void shouldRejectAnAllowedRootsListWithNoEntry() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", " , ,")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains(FilesystemBackendConfig.ALLOWED_ROOTS_KEY);
    }

    @Test
    void shouldRefuseABackendWithoutAnInstanceIdSayingWhy() {
        Map<String, String> environment = new HashMap<>(required());
        environment.remove(INSTANCE);
        environment.put("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared/secrets");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("instance.id is required")
                .contains(INSTANCE).contains("adopt and reconcile each other's");
    }

    @Test
    void shouldNeedNoInstanceIdForCommandsWithoutABackend() {
        Map<String, String> environment = new HashMap<>(required());
        environment.remove(INSTANCE);

        assertThat(ConfigLoader.load(Optional.empty(), environment).instanceId()).isEmpty();
    }

    @Test
    void shouldRefuseAStaleAgeThatAReplayCouldOutliveTheRetentionWith() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE", "P8D");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("lifecycle.released-run-retention")
                .contains("lifecycle.stale-launch-age").contains("lifecycle.max-clock-skew");
    }

    @Test
    void shouldAcceptARetentionLongerThanTheStaleAgeAndSkew() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE", "P8D");
        environment.put("PIPELINE_SECRETS_LIFECYCLE_RELEASED_RUN_RETENTION", "P9D");
        environment.put("PIPELINE_SECRETS_LIFECYCLE_MAX_CLOCK_SKEW", "0s");

        LifecyclePolicy policy = ConfigLoader.load(Optional.empty(), environment).policy();

        assertThat(policy.releasedRunRetention()).isEqualTo(Duration.ofDays(9));
        assertThat(policy.maxClockSkew()).isZero();
    }

    @Test
    void shouldRefuseANegativeSkew() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_LIFECYCLE_MAX_CLOCK_SKEW", "-PT1M")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("lifecycle.max-clock-skew");
    }

    @Test
    void shouldRefuseAnSdkTimeoutThatOutlastsTheCallDeadline() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "eu-west-1");
        environment.put("PIPELINE_SECRETS_AWS_CALL_TIMEOUT", "PT10M");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("aws.call-timeout").contains("lifecycle.call-deadline");
    }

    // ---- backends and registry

    @Test
    void shouldTurnTheAwsBackendOnWithItsRegionsAndPerComputeEnvironmentOverrides() throws IOException {
        Path file = properties("""
                aws.regions=eu-west-1, us-east-1
                aws.role-arns=arn:aws:iam::111122223333:role/a
                aws.compute-env.ce-big.bundle=true
                aws.compute-env.ce-big.kms-key-id=alias/runs
                """);

        ServiceConfig config = ConfigLoader.load(Optional.of(file), required());

        assertThat(config.aws()).hasValueSatisfying(aws -> {
            assertThat(aws.allowedRegions()).containsExactlyInAnyOrder("eu-west-1", "us-east-1");
            assertThat(aws.allowedRoleArns()).containsExactly("arn:aws:iam::111122223333:role/a");
            assertThat(aws.settingsFor("ce-big").bundle()).isTrue();
            assertThat(aws.settingsFor("ce-big").kmsKeyId()).isEqualTo("alias/runs");
            assertThat(aws.settingsFor("ce-other").bundle()).isFalse();
            assertThat(aws.callsPerSecond()).isEqualTo(40);
        });
    }

    @Test
    void shouldRejectAnUnknownPerComputeEnvironmentSettingAndOverridesWithoutRegions() throws IOException {
        Path file = properties("""
                aws.compute-env.ce-1.colour=blue
                aws.compute-env.ce-1.bundle=true
                """);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), required()));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("aws.compute-env.ce-1.colour"))
                .anySatisfy(p -> assertThat(p).contains("aws.regions is empty"));
    }

    @Test
    void shouldTurnTheGoogleBackendOnWithProjectsLocationsAndPerComputeEnvironmentBindings() throws IOException {
        Path file = properties("""
                google.projects=tower-prod-1, tenant-b-proj
                google.project=tower-prod-1
                google.locations=europe-west4
                google.service-accounts=tenant-b@tenant-b-proj.iam.gserviceaccount.com
                google.compute-env.ce-b.project=tenant-b-proj
                google.compute-env.ce-b.location=europe-west4
                google.compute-env.ce-b.service-account=tenant-b@tenant-b-proj.iam.gserviceaccount.com
                google.compute-env.ce-big.bundle=true
                lifecycle.compute-env.ce-big.max-run-lifetime=12h
                """);

        ServiceConfig config = ConfigLoader.load(Optional.of(file), required());

        assertThat(config.google()).hasValueSatisfying(google -> {
            assertThat(google.settingsFor("ce-b").parent()).isEqualTo("projects/tenant-b-proj/locations/europe-west4");
            assertThat(google.settingsFor("ce-b").serviceAccount())
                    .isEqualTo("tenant-b@tenant-b-proj.iam.gserviceaccount.com");
            assertThat(google.settingsFor("ce-big").bundle()).isTrue();
            assertThat(google.settingsFor("ce-big").parent()).isEqualTo("projects/tower-prod-1");
            assertThat(google.settingsFor("ce-other").parent()).isEqualTo("projects/tower-prod-1");
            assertThat(google.secretLifetime("ce-big")).isEqualTo(Duration.ofHours(12));
            assertThat(google.secretLifetime("ce-other")).isEqualTo(Duration.ofDays(3));
            assertThat(google.writesPerMinute()).isEqualTo(540);
        });
    }

    @Test
    void shouldRefuseGoogleBindingsOutsideTheirAllowListsNamingEachKey() throws IOException {
        Path file = properties("""
                google.projects=tower-prod-1
                google.compute-env.ce-b.project=tenant-b-proj
                google.compute-env.ce-b.location=mars-north1
                google.compute-env.ce-b.service-account=evil@evil-project.iam.gserviceaccount.com
                """);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), required()));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "google.compute-env.ce-b.*: project tenant-b-proj is not in google.projects; add it there too",
                "google.compute-env.ce-b.*: location mars-north1 is not in google.locations; add it there too",
                "google.compute-env.ce-b.*: service account evil@evil-project.iam.gserviceaccount.com is not in"
                        + " google.service-accounts; add it there too");
    }

    @Test
    void shouldRefuseGoogleSettingsWithoutProjectsAndABackendWithoutAnInstanceId() throws IOException {
        ConfigException withoutProjects = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                Optional.of(properties("google.compute-env.ce-1.bundle=true\n")), required()));
        Map<String, String> unnamed = new HashMap<>(required());
        unnamed.remove(INSTANCE);
        unnamed.put("PIPELINE_SECRETS_GOOGLE_PROJECTS", "tower-prod-1");
        ConfigException withoutName = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), unnamed));
        ConfigException slowCalls = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                Optional.of(properties("google.projects=tower-prod-1\ngoogle.call-timeout=PT5M\n")), required()));

        assertThat(withoutProjects.problems()).anySatisfy(p -> assertThat(p).contains("google.projects is empty"));
        assertThat(withoutName.problems()).anySatisfy(p -> assertThat(p).contains("instance.id is required"));
        for (String endpoint : List.of("http://localhost", "http://localhost:8085/v1", "grpc://localhost:8085")) {
            ConfigException badEndpoint = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                    Optional.of(properties("google.projects=tower-prod-1\ngoogle.endpoint=" + endpoint + "\n")), required()));
            assertThat(badEndpoint.problems()).as(endpoint).singleElement().satisfies(p -> assertThat(p)
                    .contains("google.endpoint '" + endpoint + "'").contains("http://HOST:PORT"));
        }
        assertThat(ConfigLoader.load(Optional.of(properties("google.projects=tower-prod-1\ngoogle.endpoint="
                + "http://127.0.0.1:8085\n")), required()).google()).isPresent();
        assertThat(slowCalls.problems()).singleElement().satisfies(p -> assertThat(p).contains("google.call-timeout (PT5M)")
                .contains("lifecycle.call-deadline"));
    }

    @Test
    void shouldLeaveAComputeEnvironmentWithoutItsOwnProjectNowhereWhenABindingIsRequired() throws IOException {
        Path file = properties("""
                google.projects=tower-prod-1
                google.project=tower-prod-1
                google.require-compute-env-binding=true
                google.compute-env.ce-bound.project=tower-prod-1
                google.compute-env.ce-bundled.bundle=true
                """);

        ServiceConfig config = ConfigLoader.load(Optional.of(file), required());

        assertThat(config.google().orElseThrow().settingsFor("ce-bound").project()).isEqualTo("tower-prod-1");
        assertThat(config.google().orElseThrow().settingsFor("ce-bundled").project()).isNull();
        assertThat(config.google().orElseThrow().settingsFor("ce-unknown").project()).isNull();
    }

    @Test
    void shouldHandTheRegistryClientItsAuthenticationAndTrustStoreSettings() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "svc:pw");
        environment.put("PIPELINE_SECRETS_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", "/etc/registry.jks");

        ServiceConfig config = ConfigLoader.load(Optional.empty(), environment);

        assertThat(config.schemaRegistrySettings())
                .containsEntry("schema.registry.basic-auth.user-info", "svc:pw")
                .containsEntry("schema.registry.ssl.truststore.location", "/etc/registry.jks")
                .doesNotContainKeys("schema.registry.url", "schema.registry.auto-register");
    }

    @Test
    void shouldReadTheLeaseForAllAndPerComputeEnvironment() throws IOException {
        Path file = properties("""
                lifecycle.max-run-lifetime=7d
                lifecycle.compute-env.ce-short.max-run-lifetime=6h
                """);

        ServiceConfig config = ConfigLoader.load(Optional.of(file), required());

        assertThat(config.policy().leases().defaultMaxLifetime()).isEqualTo(Duration.ofDays(7));
        assertThat(config.policy().leases().byComputeEnv()).containsEntry("ce-short", Duration.ofHours(6));
        assertThat(ConfigLoader.load(Optional.empty(), required()).policy().leases()).isEqualTo(LeasePolicy.NONE);
    }

    @Test
    void shouldBindComputeEnvironmentsToTheirWorkspacesFromTheFileAndTheEnvironment() throws IOException {
        Path file = properties("""
                lifecycle.compute-env.ce-tenant-a.workspaces=ws-a1, ws-a2
                lifecycle.compute-env.ce-tenant-a.max-run-lifetime=6h
                """);
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_LIFECYCLE_COMPUTE_ENV_ceB_WORKSPACES", "ws-b");

        LifecyclePolicy policy = ConfigLoader.load(Optional.of(file), environment).policy();

        assertThat(policy.computeEnvironments().mayUse("ws-a2", "ce-tenant-a")).isTrue();
        assertThat(policy.computeEnvironments().mayUse("ws-b", "ce-tenant-a")).isFalse();
        assertThat(policy.computeEnvironments().mayUse("ws-b", "ceB")).isTrue();
        assertThat(policy.computeEnvironments().mayUse("anyone", "ce-unbound")).isTrue();
        assertThat(policy.leases().byComputeEnv()).containsEntry("ce-tenant-a", Duration.ofHours(6));
    }

    @Test
    void shouldRefuseAnEmptyWorkspaceBindingAndAnUnknownComputeEnvironmentSettingOnce() throws IOException {
        Path file = properties("""
                lifecycle.compute-env.ce-1.workspaces= ,
                lifecycle.compute-env.ce-1.colour=blue
                """);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), required()));

        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("lifecycle.compute-env.ce-1.workspaces is empty"))
                .anySatisfy(p -> assertThat(p).startsWith("lifecycle.compute-env.ce-1.colour"));
    }

    @Test
    void shouldReadPerComputeEnvironmentSettingsFromTheEnvironmentKeepingTheIdAsWritten() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "eu-west-1");
        environment.put("PIPELINE_SECRETS_AWS_COMPUTE_ENV_4Bi5xBK6E2Nbhj_BUNDLE", "true");
        environment.put("PIPELINE_SECRETS_AWS_COMPUTE_ENV_4Bi5xBK6E2Nbhj_NAME_TEMPLATE", "runs/{runId}/{name}");
        environment.put("PIPELINE_SECRETS_LIFECYCLE_COMPUTE_ENV_ce_short_MAX_RUN_LIFETIME", "6h");

        ServiceConfig config = ConfigLoader.load(Optional.empty(), environment);

        assertThat(config.aws()).hasValueSatisfying(aws -> {
            assertThat(aws.settingsFor("4Bi5xBK6E2Nbhj").bundle()).isTrue();
            assertThat(aws.settingsFor("4Bi5xBK6E2Nbhj").nameTemplate()).isEqualTo("runs/{runId}/{name}");
            assertThat(aws.settingsFor("4bi5xbk6e2nbhj").bundle()).as("ids are case-sensitive").isFalse();
        });
        assertThat(config.policy().leases().byComputeEnv()).containsEntry("ce_short", Duration.ofHours(6));
    }

    @Test
    void shouldRejectAPerComputeEnvironmentVariableWithoutAKnownSetting() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                with("PIPELINE_SECRETS_AWS_COMPUTE_ENV_ce1_COLOUR", "blue")));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("PIPELINE_SECRETS_AWS_COMPUTE_ENV_ce1_COLOUR"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "PIPELINE_SECRETS_AWS_COMPUTE_ENV_ce1_BUNDLE, yes, aws.compute-env.ce1.bundle=yes must be true or false",
            "PIPELINE_SECRETS_LIFECYCLE_COMPUTE_ENV_ce1_MAX_RUN_LIFETIME, 0s, lifecycle.compute-env.ce1.max-run-lifetime=0s must be longer than zero",
            "PIPELINE_SECRETS_AWS_ENDPOINT, localhost:4566, aws.endpoint=localhost:4566 is not valid; use a URI",
            "PIPELINE_SECRETS_AWS_CALLS_PER_SECOND, 0, aws.calls-per-second=0 must be above zero",
            "PIPELINE_SECRETS_SCHEMA_REGISTRY_REQUEST_TIMEOUT, soon, schema.registry.request-timeout=soon is not valid",
    })
    void shouldCheckEveryTypedSettingAtStartUpNamingItsKeyAsWritten(String variable, String value, String expectedStart) {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "eu-west-1");
        environment.put(variable, value);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).as("%s=%s must not be accepted", variable, value).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith(expectedStart);
    }

    @Test
    void shouldClearAnAwsDefaultForOneComputeEnvironmentWithAnEmptyOverride() throws IOException {
        Path file = properties("""
                aws.regions=eu-west-1
                aws.kms-key-id=alias/shared
                aws.endpoint=http://localhost:4566
                aws.compute-env.ce-own.kms-key-id=
                """);

        ServiceConfig config = ConfigLoader.load(Optional.of(file), required());

        assertThat(config.aws()).hasValueSatisfying(aws -> {
            assertThat(aws.settingsFor("ce-own").kmsKeyId()).as("the account's default key").isNull();
            assertThat(aws.settingsFor("ce-other").kmsKeyId()).isEqualTo("alias/shared");
            assertThat(aws.endpoint()).hasToString("http://localhost:4566");
        });
    }

    // ---- compute environment bindings

    private static final String ROLE_A = "arn:aws:iam::111122223333:role/tenant-a";
    private static final String ROLE_B = "arn:aws:iam::444455556666:role/tenant-b";

    @Test
    void shouldBindComputeEnvironmentsToRegionsRolesAndRootsFromTheFile() throws IOException {
        Path file = properties("""
                aws.regions=us-east-1, eu-west-1
                aws.role-arns=%s,%s
                aws.compute-env.ce-a.role-arns=%s
                aws.compute-env.ce-a.regions=eu-west-1
                aws.compute-env.ce-b.bundle=true
                aws.require-compute-env-binding=true
                aws.account-id=111122223333
                filesystem.allowed-roots=/shared
                filesystem.compute-env.ce-hpc.roots=/shared/tenant-a, /shared/tenant-a2/../tenant-a3
                filesystem.require-compute-env-binding=true
                """.formatted(ROLE_A, ROLE_B, ROLE_A));

        ServiceConfig config = ConfigLoader.load(Optional.of(file), required());

        assertThat(config.aws()).hasValueSatisfying(aws -> {
            assertThat(aws.bindings()).isEqualTo(new AwsComputeEnvBindings(Map.of("ce-a", Set.of("eu-west-1")),
                    Map.of("ce-a", Set.of(ROLE_A)), true));
            assertThat(aws.accountId()).isEqualTo("111122223333");
            assertThat(aws.environments()).as("a binding alone changes how nothing is written").containsOnlyKeys("ce-b");
        });
        assertThat(config.filesystem()).hasValueSatisfying(fs -> assertThat(fs.bindings()).isEqualTo(
                new FilesystemComputeEnvBindings(Map.of("ce-hpc", List.of(Path.of("/shared/tenant-a"),
                        Path.of("/shared/tenant-a3"))), true)));
    }

    @Test
    void shouldBindNothingAndRequireNoBindingByDefault() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "eu-west-1");
        environment.put("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared");

        ServiceConfig config = ConfigLoader.load(Optional.empty(), environment);

        assertThat(config.aws().orElseThrow().bindings()).isEqualTo(AwsComputeEnvBindings.NONE);
        assertThat(config.aws().orElseThrow().accountId()).isNull();
        assertThat(config.filesystem().orElseThrow().bindings()).isEqualTo(FilesystemComputeEnvBindings.NONE);
    }

    @Test
    void shouldReadBindingsFromTheEnvironmentKeepingTheIdAsWritten() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "us-east-1,eu-west-1");
        environment.put("PIPELINE_SECRETS_AWS_ROLE_ARNS", ROLE_A + "," + ROLE_B);
        environment.put("PIPELINE_SECRETS_AWS_COMPUTE_ENV_4Bi5xBK6E2Nbhj_ROLE_ARNS", ROLE_B);
        environment.put("PIPELINE_SECRETS_AWS_COMPUTE_ENV_4Bi5xBK6E2Nbhj_REGIONS", "us-east-1");
        environment.put("PIPELINE_SECRETS_AWS_REQUIRE_COMPUTE_ENV_BINDING", "true");
        environment.put("PIPELINE_SECRETS_AWS_ACCOUNT_ID", "444455556666");
        environment.put("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared");
        environment.put("PIPELINE_SECRETS_FILESYSTEM_COMPUTE_ENV_ce_Hpc_ROOTS", "/shared/hpc");
        environment.put("PIPELINE_SECRETS_FILESYSTEM_REQUIRE_COMPUTE_ENV_BINDING", "true");

        ServiceConfig config = ConfigLoader.load(Optional.empty(), environment);

        assertThat(config.aws().orElseThrow().bindings()).isEqualTo(new AwsComputeEnvBindings(
                Map.of("4Bi5xBK6E2Nbhj", Set.of("us-east-1")), Map.of("4Bi5xBK6E2Nbhj", Set.of(ROLE_B)), true));
        assertThat(config.aws().orElseThrow().accountId()).isEqualTo("444455556666");
        assertThat(config.filesystem().orElseThrow().bindings()).isEqualTo(
                new FilesystemComputeEnvBindings(Map.of("ce_Hpc", List.of(Path.of("/shared/hpc"))), true));
    }

    @Test
    void shouldRefuseAtStartEveryBindingBeyondTheGlobalAllowListNamingItsKey() throws IOException {
        Path file = properties("""
                aws.regions=us-east-1
                aws.role-arns=%s
                aws.compute-env.ce-a.role-arns=%s
                aws.compute-env.ce-a.regions=us-east-1,ap-south-1
                aws.compute-env.ce-c.regions=
                filesystem.allowed-roots=/shared
                filesystem.compute-env.ce-hpc.roots=/scratch/hpc
                filesystem.compute-env.ce-rel.roots=relative/dir
                """.formatted(ROLE_A, ROLE_B));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), required()));

        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(5)
                .anySatisfy(p -> assertThat(p).startsWith("aws.compute-env.ce-a.role-arns: " + ROLE_B + " is not in aws.role-arns"))
                .anySatisfy(p -> assertThat(p).startsWith("aws.compute-env.ce-a.regions: ap-south-1 is not in aws.regions"))
                .anySatisfy(p -> assertThat(p).startsWith("aws.compute-env.ce-c.regions is empty"))
                .anySatisfy(p -> assertThat(p).startsWith("filesystem.compute-env.ce-hpc.roots: '/scratch/hpc' is not inside"))
                .anySatisfy(p -> assertThat(p).startsWith("filesystem.compute-env.ce-rel.roots: 'relative/dir' is not absolute"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "PIPELINE_SECRETS_AWS_REQUIRE_COMPUTE_ENV_BINDING, yes, aws.require-compute-env-binding=yes",
            "PIPELINE_SECRETS_FILESYSTEM_REQUIRE_COMPUTE_ENV_BINDING, 1, filesystem.require-compute-env-binding=1",
            "PIPELINE_SECRETS_AWS_ACCOUNT_ID, 1111-2222-3333, aws.account-id '1111-2222-3333'",
            "PIPELINE_SECRETS_AWS_ROLE_ARNS, arn:aws:iam::1:role/a, aws.role-arns: 'arn:aws:iam::1:role/a'",
            "PIPELINE_SECRETS_FILESYSTEM_COMPUTE_ENV_ce1_COLOUR, blue, PIPELINE_SECRETS_FILESYSTEM_COMPUTE_ENV_ce1_COLOUR",
    })
    void shouldRejectAnInvalidBindingOrAccountSettingNamingIt(String variable, String value, String expectedStart) {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "us-east-1");
        environment.put("PIPELINE_SECRETS_FILESYSTEM_ALLOWED_ROOTS", "/shared");
        environment.put(variable, value);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith(expectedStart);
    }

    @Test
    void shouldRejectFilesystemBindingsWithoutAllowedRootsAndAnUnknownFilesystemSetting() throws IOException {
        Path file = properties("""
                filesystem.compute-env.ce-1.roots=/shared/a
                filesystem.compute-env.ce-1.colour=blue
                """);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), required()));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("filesystem.compute-env.ce-1.colour: use"))
                .anySatisfy(p -> assertThat(p).contains("filesystem.allowed-roots is empty"));
    }

    @Test
    void shouldRejectAnInstanceIdThatCannotBeATagAsItIs() {
        Map<String, String> environment = new HashMap<>(required());
        environment.put("PIPELINE_SECRETS_AWS_REGIONS", "us-east-1");
        environment.put(INSTANCE, "tower#prod");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e.problems()).singleElement().asString().startsWith("instance.id 'tower#prod'");
    }

    // ---- admin token

    private static final String ADMIN_TOKEN = "s3cr3t-admin-token-0123456789abcdef";
    private static final String TOKEN_FILE = "PIPELINE_SECRETS_ADMIN_TOKEN_FILE";
    private static final String TOKEN = "PIPELINE_SECRETS_ADMIN_TOKEN";

    @Test
    void shouldConfigureNoAdminTokenByDefaultWhichLeavesMetricsOpen() {
        ServiceConfig config = ConfigLoader.load(Optional.empty(), required());

        assertThat(config.adminAccess().token()).isEmpty();
        assertThat(config.adminAccess().metricsRequireToken()).isFalse();
    }

    @Test
    void shouldReadTheAdminTokenFromItsFileTrimmingTheSurroundingWhitespaceAndNewline() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), "  " + ADMIN_TOKEN + "\r\n\n");

        ServiceConfig config = ConfigLoader.load(Optional.empty(), with(TOKEN_FILE, tokenFile.toString()));

        assertThat(config.adminAccess().token()).hasValueSatisfying(token -> assertThat(token.matches(ADMIN_TOKEN)).isTrue());
        assertThat(config.toString()).as("the configuration's toString").doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void shouldReadTheAdminTokenFileNamedInThePropertiesFileAndTheMetricsSetting() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), ADMIN_TOKEN);
        Path file = properties("""
                kafka.bootstrap.servers=broker:9092
                schema.registry.url=mock://x
                admin.token-file=%s
                admin.metrics-require-token=true
                """.formatted(tokenFile));

        ServiceConfig config = ConfigLoader.load(Optional.of(file), Map.of());

        assertThat(config.adminAccess().token()).hasValueSatisfying(token -> assertThat(token.matches(ADMIN_TOKEN)).isTrue());
        assertThat(config.adminAccess().metricsRequireToken()).isTrue();
    }

    @Test
    void shouldTakeTheAdminTokenFromTheEnvironment() {
        ServiceConfig config = ConfigLoader.load(Optional.empty(), with(TOKEN, ADMIN_TOKEN + "\n"));

        assertThat(config.adminAccess().token()).hasValueSatisfying(token -> assertThat(token.matches(ADMIN_TOKEN)).isTrue());
    }

    /** The properties file is a ConfigMap or a file in git: not where a credential belongs. */
    @Test
    void shouldRefuseTheAdminTokenInThePropertiesFileWithoutQuotingIt() throws IOException {
        Path file = properties("""
                kafka.bootstrap.servers=broker:9092
                schema.registry.url=mock://x
                admin.token=%s
                """.formatted(ADMIN_TOKEN));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.of(file), Map.of()));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("admin.token must not be in " + file)
                .contains("admin.token-file", TOKEN);
        assertThat(e.getMessage()).doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void shouldRefuseBothTheTokenFileAndTheToken() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), ADMIN_TOKEN);
        Map<String, String> environment = new HashMap<>(with(TOKEN_FILE, tokenFile.toString()));
        environment.put(TOKEN, ADMIN_TOKEN);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Optional.empty(), environment));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("admin.token-file", "admin.token", "both set");
        assertThat(e.getMessage()).doesNotContain(ADMIN_TOKEN);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", " \n\t\n", "short-token\n", "s3cr3t admin token 0123456789", "s3cr3t-admin-token-\u00e9\u00e9\u00e9\u00e9-0123"})
    void shouldRefuseATokenFileThatHoldsNoUsableTokenWithoutQuotingIt(String content) throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), content, StandardCharsets.UTF_8);

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with(TOKEN_FILE, tokenFile.toString())));

        assertThat(e).as("%s must not be accepted", content).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("admin.token-file=" + tokenFile)
                .containsAnyOf("is empty", "shorter than 16", "holds characters");
        if (!content.isBlank()) {
            assertThat(e.getMessage()).doesNotContain(content.strip());
        }
    }

    @Test
    void shouldRefuseAMissingTokenFileSayingToMountTheSecret() {
        Path missing = dir.resolve("admin-token/token");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with(TOKEN_FILE, missing.toString())));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("admin.token-file=" + missing + ": cannot read")
                .contains("NoSuchFileException", "mount the Secret");
    }

    @Test
    void shouldRefuseATokenFileThatIsTheSecretsDirectoryNamingTheFileInside() throws IOException {
        Path mounted = Files.createDirectories(dir.resolve("admin-token"));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with(TOKEN_FILE, mounted.toString())));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("admin.token-file=" + mounted + " is a directory")
                .contains(mounted.resolve("token").toString());
    }

    @Test
    void shouldRefuseATokenFileLargerThan4KiBWithoutReadingItWhole() throws IOException {
        Path large = Files.write(dir.resolve("token"), new byte[1024 * 1024]);

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with(TOKEN_FILE, large.toString())));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().contains("larger than 4096 bytes");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"changeme", "fifteen-chars15", "s3cr3t-admin-token\"0123456789"})
    void shouldRefuseAnUnusableTokenFromTheEnvironmentNamingTheVariableButNotTheToken(String token) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with(TOKEN, token)));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("admin.token (" + TOKEN + "): the token");
        assertThat(e.getMessage()).doesNotContain(token);
    }

    @Test
    void shouldRefuseMetricsThatRequireATokenWhenNoneIsConfigured() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), with("PIPELINE_SECRETS_ADMIN_METRICS_REQUIRE_TOKEN", "true")));

        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("admin.metrics-require-token=true")
                .contains("admin.token-file", TOKEN);
    }

    // ---- helpers

    private static Map<String, String> required() {
        return Map.of(BOOTSTRAP, "broker:9092", REGISTRY, "mock://config-test", INSTANCE, "config-test");
    }

    private static Map<String, String> with(String variable, String value) {
        Map<String, String> environment = new HashMap<>(required());
        environment.put(variable, value);
        return environment;
    }

    private Path properties(String content) throws IOException {
        Path file = dir.resolve("service.properties");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
