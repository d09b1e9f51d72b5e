package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.admin.AdminAccess;
import io.pipelinesecrets.lifecycle.admin.AdminToken;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsComputeEnvBindings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemComputeEnvBindings;
import io.pipelinesecrets.lifecycle.run.ComputeEnvironmentAccess;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.pipelinesecrets.lifecycle.config.ServiceKeys.*;

/**
 * Reads {@link ServiceConfig} from a properties file and the environment, key by key as {@link ServiceKeys}
 * declares them.
 *
 * <p>Precedence, highest first: environment variables, the file, the defaults. Every key {@code a.b-c} can be
 * set as {@code PIPELINE_SECRETS_A_B_C}; Kafka settings are {@code kafka.<setting>} in the file and
 * {@code PIPELINE_SECRETS_KAFKA_<SETTING>} in the environment (e.g. {@code PIPELINE_SECRETS_KAFKA_SASL_MECHANISM});
 * per-compute-environment keys are {@code PIPELINE_SECRETS_<PREFIX>_<id>_<SETTING>} ({@link PerComputeEnv}).
 * The environment is handed in as a map so that the precedence is testable. Every problem is reported at once.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "PIPELINE_SECRETS_";
    /** Where the problems about unknown keys send the reader. */
    static final String REFERENCE = "docs/configuration.md";
    private static final String KAFKA_PREFIX = "kafka.";
    private static final String KAFKA_ENV_PREFIX = ENV_PREFIX + "KAFKA_";

    private ConfigLoader() {
    }

    public static ServiceConfig load(Optional<Path> file, Map<String, String> environment) {
        Map<String, String> given = new HashMap<>();
        Map<String, Object> kafka = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        file.ifPresent(path -> readFile(path, given, kafka, problems));
        readEnvironment(environment, given, kafka, problems);
        return build(new ConfigValues(given, problems), kafka);
    }

    /** The environment variable that sets a key. */
    public static String environmentName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void readFile(Path path, Map<String, String> given, Map<String, Object> kafka, List<String> problems) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            problems.add("--config " + path + ": cannot read (" + e.getClass().getSimpleName() + "); give a readable properties file");
            return;
        }
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name).trim();
            Key<?> key = BY_NAME.get(name);
            Optional<String> computeEnvPrefix = PER_COMPUTE_ENV_SETTINGS.keySet().stream().filter(name::startsWith).findFirst();
            if (key != null && key.isEnvironmentOnly()) {
                // The properties file is a ConfigMap, a file in git, a `kubectl describe` away: readable by more
                // people than may read tenant data. Such a key comes from a file of its own or the environment.
                problems.add(name + " must not be in " + path + ", which is not a secret; " + key.environmentOnly()
                        + ", or set " + key.environmentName());
            } else if (key != null) {
                given.put(name, value);
            } else if (computeEnvPrefix.isPresent()) {
                if (perComputeEnvSetting(name).isPresent()) {
                    given.put(name, value);
                } else {
                    problems.add(name + ": use " + computeEnvPrefix.get() + "<computeEnvId>.<setting> with setting one of "
                            + PER_COMPUTE_ENV_SETTINGS.get(computeEnvPrefix.get()));
                }
            } else if (name.startsWith(KAFKA_PREFIX)) {
                kafka.put(name.substring(KAFKA_PREFIX.length()), value);
            } else {
                problems.add(name + ": unknown key in " + path + "; known keys are listed in " + REFERENCE);
            }
        }
    }

    private static void readEnvironment(Map<String, String> environment, Map<String, String> given,
                                        Map<String, Object> kafka, List<String> problems) {
        Map<String, String> keyByEnvironmentName = new HashMap<>();
        ALL.forEach(key -> keyByEnvironmentName.put(key.environmentName(), key.name()));
        environment.forEach((name, value) -> {
            Optional<String> computeEnvironmentKey = PER_COMPUTE_ENV.stream()
                    .flatMap(setting -> setting.keyOfEnvironmentVariable(name).stream()).findFirst();
            if (keyByEnvironmentName.containsKey(name)) {
                given.put(keyByEnvironmentName.get(name), value.trim());
            } else if (computeEnvironmentKey.isPresent()) {
                given.put(computeEnvironmentKey.get(), value.trim());
            } else if (name.startsWith(KAFKA_ENV_PREFIX)) {
                kafka.put(name.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            } else if (name.startsWith(ENV_PREFIX)) {
                problems.add(name + ": unknown environment variable; see " + REFERENCE);
            }
        });
    }

    private static Optional<PerComputeEnv<?>> perComputeEnvSetting(String name) {
        return PER_COMPUTE_ENV.stream().filter(setting -> setting.computeEnvIdOf(name).isPresent()).findFirst();
    }

    private static ServiceConfig build(ConfigValues values, Map<String, Object> kafka) {
        // kafka.bootstrap.servers is both a key of ours and a Kafka setting: keep one source of truth.
        Object bootstrapFromKafka = kafka.remove("bootstrap.servers");
        Optional<String> bootstrap = values.isSet(BOOTSTRAP_SERVERS) || bootstrapFromKafka == null
                ? values.find(BOOTSTRAP_SERVERS) : Optional.of(bootstrapFromKafka.toString());
        Optional<String> registry = values.find(SCHEMA_REGISTRY_URL);
        // Checked here so that start-up reports it with the rest; the registry client is handed the text.
        values.find(SCHEMA_REGISTRY_REQUEST_TIMEOUT);
        boolean anyBackend = values.isSet(FILESYSTEM_ALLOWED_ROOTS) || values.isSet(AWS_REGIONS)
                || values.isSet(GOOGLE_PROJECTS);
        boolean named = values.isSet(INSTANCE_ID);
        if (anyBackend && !named) {
            values.problem("instance.id is required with a backend: set it to a name of this deployment's own (e.g."
                    + " secrets-lifecycle-prod-eu1, or " + INSTANCE_ID.environmentName() + "). It marks what the"
                    + " service creates; two deployments sharing a name would adopt and reconcile each other's secrets");
        }
        Optional<FilesystemBackendConfig> filesystem = named || !anyBackend ? filesystem(values) : Optional.empty();
        Optional<AwsBackendConfig> aws = named || !anyBackend ? aws(values) : Optional.empty();
        LeasePolicy leases = new LeasePolicy(values.find(MAX_RUN_LIFETIME).orElse(null),
                values.perComputeEnv(COMPUTE_ENV_MAX_RUN_LIFETIME));
        Optional<GoogleBackendConfig> google = named || !anyBackend ? GoogleConfigLoader.load(values, leases)
                : Optional.empty();
        ComputeEnvironmentAccess computeEnvironments = computeEnvironmentAccess(values);
        // A token file name that is not a path at all is reported by find; the loader then reads no file.
        String tokenFile = values.find(ADMIN_TOKEN_FILE).isPresent() ? values.text(ADMIN_TOKEN_FILE) : "";
        Optional<AdminToken> adminToken = AdminTokenLoader.load(tokenFile, values.text(ADMIN_TOKEN), values.problems());
        boolean metricsRequireToken = Boolean.TRUE.equals(values.get(ADMIN_METRICS_REQUIRE_TOKEN));
        if (metricsRequireToken && !values.isSet(ADMIN_TOKEN_FILE) && !values.isSet(ADMIN_TOKEN)) {
            values.problem("admin.metrics-require-token=true but no admin token is configured; set "
                    + ADMIN_TOKEN_FILE.name() + " or " + ADMIN_TOKEN.environmentName()
                    + ", or set admin.metrics-require-token=false");
        }
        Duration callDeadline = values.get(CALL_DEADLINE);
        LifecyclePolicy policy = policy(values, leases, computeEnvironments);
        aws.ifPresent(settings -> checkCallTimeout(values, "aws.call-timeout", settings.callTimeout(), callDeadline));
        google.ifPresent(settings -> checkCallTimeout(values, "google.call-timeout", settings.callTimeout(), callDeadline));
        Optional<Duration> reconcileInterval = values.find(RECONCILE_INTERVAL);
        Duration reconcileGrace = values.get(RECONCILE_GRACE_PERIOD);
        Integer adminPort = values.get(ADMIN_PORT);
        Integer partitions = values.get(TOPIC_PARTITIONS);
        Integer replication = values.get(TOPIC_REPLICATION_FACTOR);
        boolean autoRegister = Boolean.TRUE.equals(values.get(SCHEMA_REGISTRY_AUTO_REGISTER));
        Path stateDirectory = values.get(STATE_DIR);
        Duration punctuation = values.get(PUNCTUATION_INTERVAL);
        if (values.hasProblems()) {
            throw new ConfigException(values.problems());
        }
        ServiceTopics topics = new ServiceTopics(values.get(TOPIC_LAUNCHED), values.get(TOPIC_COMPLETED),
                values.get(TOPIC_SECRETS), values.get(TOPIC_AUDIT), values.get(TOPIC_DLQ));
        return new ServiceConfig(values.get(APPLICATION_ID), values.text(INSTANCE_ID), bootstrap.orElseThrow(), kafka,
                registry.orElseThrow(), registrySettings(values), autoRegister, topics, stateDirectory, filesystem, aws, google,
                policy, punctuation, values.get(ADMIN_HOST), adminPort,
                new AdminAccess(adminToken, metricsRequireToken),
                new TopicSizing(partitions, replication.shortValue()),
                new ReconcileSettings(reconcileInterval.orElse(null), reconcileGrace));
    }

    private static void checkCallTimeout(ConfigValues values, String key, Duration callTimeout, Duration callDeadline) {
        if (callDeadline != null && callTimeout.compareTo(callDeadline) >= 0) {
            values.problem(key + " (" + callTimeout + ") must be shorter than lifecycle.call-deadline (" + callDeadline
                    + "): a call would be given up on before the client itself gives up");
        }
    }

    /** The policy, or null when a problem is reported (then the loader throws before using it). */
    private static LifecyclePolicy policy(ConfigValues values, LeasePolicy leases,
                                          ComputeEnvironmentAccess computeEnvironments) {
        Duration staleAge = values.get(STALE_LAUNCH_AGE);
        Integer maxAttempts = values.get(MAX_PROVISION_ATTEMPTS);
        Duration initialBackoff = values.get(RETRY_INITIAL_BACKOFF);
        Duration maxBackoff = values.get(RETRY_MAX_BACKOFF);
        Duration watermarkWait = values.get(WATERMARK_WAIT);
        Duration callDeadline = values.get(CALL_DEADLINE);
        Duration clockSkew = values.get(MAX_CLOCK_SKEW);
        Duration retention = values.get(RELEASED_RUN_RETENTION);
        Integer maxSecretsPerRun = values.get(MAX_SECRETS_PER_RUN);
        if (values.hasProblems()) {
            return null;
        }
        try {
            return new LifecyclePolicy(staleAge, maxAttempts, initialBackoff, maxBackoff, leases, watermarkWait,
                    callDeadline, clockSkew, retention, maxSecretsPerRun, computeEnvironments);
        } catch (IllegalArgumentException e) {
            values.problem(e.getMessage());
            return null;
        }
    }

    /** Every {@code schema.registry.*} setting given, but the two the service itself uses, as the client reads them. */
    private static Map<String, String> registrySettings(ConfigValues values) {
        Map<String, String> settings = new TreeMap<>();
        for (Key<?> key : List.of(SCHEMA_REGISTRY_BASIC_AUTH, SCHEMA_REGISTRY_BEARER_TOKEN,
                SCHEMA_REGISTRY_TRUSTSTORE_LOCATION, SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD, SCHEMA_REGISTRY_TRUSTSTORE_TYPE,
                SCHEMA_REGISTRY_REQUEST_TIMEOUT)) {
            if (values.isSet(key)) {
                settings.put(key.name(), values.text(key));
            }
        }
        return settings;
    }

    private static Optional<FilesystemBackendConfig> filesystem(ConfigValues values) {
        boolean bindingRequired = Boolean.TRUE.equals(values.get(FILESYSTEM_REQUIRE_BINDING));
        Map<String, List<Path>> bound = values.perComputeEnv(COMPUTE_ENV_ROOTS);
        Optional<Path> defaultRoot = values.find(FILESYSTEM_DEFAULT_ROOT);
        if (!values.isSet(FILESYSTEM_ALLOWED_ROOTS)) {
            if (values.isSet(FILESYSTEM_DEFAULT_ROOT)) {
                values.problem("filesystem.default-root is set but filesystem.allowed-roots is empty; list the root there too");
            }
            if (!bound.isEmpty()) {
                values.problem("filesystem.compute-env.* settings are given but filesystem.allowed-roots is empty; list the"
                        + " roots there to turn the filesystem backend on");
            }
            return Optional.empty();
        }
        Optional<List<Path>> roots = values.find(FILESYSTEM_ALLOWED_ROOTS);
        if (roots.isEmpty() || (values.isSet(FILESYSTEM_DEFAULT_ROOT) && defaultRoot.isEmpty())) {
            return Optional.empty();
        }
        try {
            FilesystemBackendConfig config = new FilesystemBackendConfig(roots.get(), defaultRoot.orElse(null),
                    values.text(INSTANCE_ID));
            FilesystemComputeEnvBindings bindings = new FilesystemComputeEnvBindings(bound, bindingRequired);
            List<String> bindingProblems = bindings.problems(config.allowedRoots());
            bindingProblems.forEach(values::problem);
            return bindingProblems.isEmpty() ? Optional.of(config.withBindings(bindings)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            values.problem(e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<AwsBackendConfig> aws(ConfigValues values) {
        boolean bindingRequired = Boolean.TRUE.equals(values.get(AWS_REQUIRE_BINDING));
        Map<String, List<String>> boundRegions = values.perComputeEnv(COMPUTE_ENV_REGIONS);
        Map<String, List<String>> boundRoles = values.perComputeEnv(COMPUTE_ENV_ROLE_ARNS);
        Map<String, String> nameTemplates = values.perComputeEnv(COMPUTE_ENV_NAME_TEMPLATE);
        Map<String, Boolean> bundles = values.perComputeEnv(COMPUTE_ENV_BUNDLE);
        Map<String, String> kmsKeyIds = values.perComputeEnv(COMPUTE_ENV_KMS_KEY_ID);
        Map<String, String> descriptions = values.perComputeEnv(COMPUTE_ENV_DESCRIPTION);
        List<String> regions = values.find(AWS_REGIONS).orElse(List.of());
        if (regions.isEmpty()) {
            boolean overridden = !boundRegions.isEmpty() || !boundRoles.isEmpty() || !nameTemplates.isEmpty()
                    || !bundles.isEmpty() || !kmsKeyIds.isEmpty() || !descriptions.isEmpty();
            if (overridden) {
                values.problem("aws.compute-env.* settings are given but aws.regions is empty; list the regions to turn the AWS backend on");
            }
            return Optional.empty();
        }
        Double rate = values.get(AWS_CALLS_PER_SECOND);
        Duration callTimeout = values.get(AWS_CALL_TIMEOUT);
        Optional<URI> endpoint = values.find(AWS_ENDPOINT);
        Boolean bundle = values.get(AWS_BUNDLE);
        Set<String> roleArns = Set.copyOf(values.find(AWS_ROLE_ARNS).orElse(List.of()));
        AwsComputeEnvBindings bindings = new AwsComputeEnvBindings(sets(boundRegions), sets(boundRoles), bindingRequired);
        bindings.problems(Set.copyOf(regions), roleArns).forEach(values::problem);
        if (bundle == null) {
            return Optional.empty();
        }
        try {
            AwsEnvironmentSettings defaults = new AwsEnvironmentSettings(values.get(AWS_NAME_TEMPLATE), bundle,
                    values.find(AWS_KMS_KEY_ID).orElse(null), emptyToNull(values.get(AWS_DESCRIPTION)));
            Map<String, AwsEnvironmentSettings> environments = environments(defaults, nameTemplates, bundles, kmsKeyIds,
                    descriptions);
            if (values.hasProblems()) {
                return Optional.empty();
            }
            return Optional.of(new AwsBackendConfig(values.text(INSTANCE_ID), defaults, environments, Set.copyOf(regions),
                    roleArns, values.find(AWS_ROLE_EXTERNAL_ID).orElse(null), rate, endpoint.orElse(null), callTimeout)
                    .withBindings(bindings).withAccountId(values.find(AWS_ACCOUNT_ID).orElse(null)));
        } catch (IllegalArgumentException e) {
            values.problem(e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * How each compute environment with an override writes its secrets. A binding alone (regions, role-arns)
     * changes how nothing is written, so it gets no settings of its own.
     */
    private static Map<String, AwsEnvironmentSettings> environments(AwsEnvironmentSettings defaults,
                                                                    Map<String, String> nameTemplates,
                                                                    Map<String, Boolean> bundles,
                                                                    Map<String, String> kmsKeyIds,
                                                                    Map<String, String> descriptions) {
        Set<String> overriddenIds = new TreeSet<>();
        List.of(nameTemplates, bundles, kmsKeyIds, descriptions).forEach(map -> overriddenIds.addAll(map.keySet()));
        Map<String, AwsEnvironmentSettings> environments = new HashMap<>();
        for (String id : overriddenIds) {
            environments.put(id, new AwsEnvironmentSettings(nameTemplates.getOrDefault(id, defaults.nameTemplate()),
                    bundles.getOrDefault(id, defaults.bundle()),
                    kmsKeyIds.containsKey(id) ? emptyToNull(kmsKeyIds.get(id)) : defaults.kmsKeyId(),
                    descriptions.containsKey(id) ? emptyToNull(descriptions.get(id)) : defaults.description()));
        }
        return environments;
    }

    private static ComputeEnvironmentAccess computeEnvironmentAccess(ConfigValues values) {
        Map<String, Set<String>> workspaces = new HashMap<>();
        values.perComputeEnv(COMPUTE_ENV_WORKSPACES).forEach((computeEnv, ids) -> {
            if (ids.isEmpty()) {
                values.problem(COMPUTE_ENV_WORKSPACES.key(computeEnv).name() + " is empty: list the workspace ids that"
                        + " may launch on compute environment " + computeEnv + ", or remove the key to let every workspace");
            }
            workspaces.put(computeEnv, Set.copyOf(ids));
        });
        return new ComputeEnvironmentAccess(workspaces);
    }

    private static Map<String, Set<String>> sets(Map<String, List<String>> lists) {
        Map<String, Set<String>> sets = new TreeMap<>();
        lists.forEach((id, values) -> sets.put(id, Set.copyOf(values)));
        return sets;
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
