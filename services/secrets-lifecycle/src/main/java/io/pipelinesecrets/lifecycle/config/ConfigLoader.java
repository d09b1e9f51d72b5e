package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.admin.AdminAccess;
import io.pipelinesecrets.lifecycle.admin.AdminToken;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsComputeEnvBindings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
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
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads {@link ServiceConfig} from a properties file and the environment.
 *
 * <p>Precedence, highest first: environment variables, the file, the defaults. Every key {@code a.b-c} can be
 * set as {@code PIPELINE_SECRETS_A_B_C}; Kafka settings are {@code kafka.<setting>} in the file and
 * {@code PIPELINE_SECRETS_KAFKA_<SETTING>} in the environment (e.g. {@code PIPELINE_SECRETS_KAFKA_SASL_MECHANISM}).
 * The environment is handed in as a map so that the precedence is testable. Every problem is reported at once.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "PIPELINE_SECRETS_";

    /** Every key the service reads, with its default ("" = none) and what it means. */
    public static final Map<String, String[]> KEYS = keys(
            "application.id", "secrets-lifecycle", "Kafka Streams application id; instances sharing it share the work",
            "instance.id", "", "this deployment's name, written as the managed-by mark on what it creates (required with any backend)",
            "kafka.bootstrap.servers", "", "Kafka bootstrap servers (required)",
            "schema.registry.url", "", "Confluent-compatible schema registry, http(s)://host:port[,...] or mock://<scope> (required)",
            "schema.registry.auto-register", "false", "register the service's schemas on first use (dev only; production pre-registers)",
            "schema.registry.basic-auth.user-info", "", "user:password for HTTP basic auth to the registry",
            "schema.registry.bearer-token", "", "bearer token for the registry (instead of basic auth)",
            "schema.registry.ssl.truststore.location", "", "trust store for the registry's TLS certificate",
            "schema.registry.ssl.truststore.password", "", "its password",
            "schema.registry.ssl.truststore.type", "", "its type, JKS (default) or PKCS12",
            "schema.registry.request-timeout", "PT10S", "timeout of one registry request",
            "topics.launched", ServiceTopics.DEFAULTS.launched(), "workflow-launched topic",
            "topics.completed", ServiceTopics.DEFAULTS.completed(), "workflow-completed topic",
            "topics.secrets", ServiceTopics.DEFAULTS.secrets(), "compacted secrets topic",
            "topics.audit", ServiceTopics.DEFAULTS.audit(), "audit topic",
            "topics.dlq", ServiceTopics.DEFAULTS.deadLetters(), "dead-letter topic",
            "topics.partitions", Integer.toString(TopicSizing.DEFAULTS.partitions()),
            "partitions of the workflow, secrets and audit topics `topics apply` creates (the DLQ gets 1, to keep its order)",
            "topics.replication-factor", Integer.toString(TopicSizing.DEFAULTS.replicationFactor()),
            "replication of the topics `topics apply` creates; min.insync.replicas is 2 from 3 replicas up, else 1",
            "state.dir", "/var/lib/secrets-lifecycle", "Kafka Streams state directory (run state; no values)",
            "filesystem.allowed-roots", "", "comma-separated absolute directories the filesystem backend may write under",
            "filesystem.default-root", "", "root used when a launch names no secretsPath",
            "filesystem.require-compute-env-binding", "false", "when true, a compute environment without filesystem.compute-env.<id>.roots may use no directory (PATH_NOT_ALLOWED)",
            "aws.regions", "", "comma-separated regions the AWS Secrets Manager backend may write to; empty = backend off",
            "aws.role-arns", "", "comma-separated IAM roles a launch may name in computeEnv.accountRoleArn",
            "aws.role-external-id", "", "external id passed when assuming those roles",
            "aws.require-compute-env-binding", "false", "when true, a compute environment may use only the regions and roles of its aws.compute-env.<id>.regions / role-arns, and none without them (REGION_NOT_ALLOWED / ROLE_NOT_ALLOWED)",
            "aws.account-id", "", "12-digit account of the service's own credentials, so that they and roles of that account share one rate limiter; empty = counted apart",
            "aws.name-template", "tower-{runId}/{name}", "secret name; {runId} and {name} are replaced",
            "aws.bundle", "false", "one JSON secret per run holding every name, instead of one secret per name",
            "aws.kms-key-id", "", "KMS key for the secrets (default: the account's aws/secretsmanager key)",
            "aws.description", "Workflow run secret, deleted when the run completes", "description set on every secret",
            "aws.calls-per-second", "40", "client-side limit of create/delete calls per account and region",
            "aws.endpoint", "", "Secrets Manager endpoint override (an emulator); empty = AWS",
            "aws.call-timeout", "PT30S", "bound on one Secrets Manager call including the SDK's retries",
            "lifecycle.stale-launch-age", "PT24H", "a launch older than this with no state is not provisioned",
            "lifecycle.max-provision-attempts", "8", "retryable provisioning failures tolerated before the run fails",
            "lifecycle.retry-initial-backoff", "PT1S", "first retry delay; doubles per attempt",
            "lifecycle.retry-max-backoff", "PT5M", "retry delay cap; releases retry at this pace until they succeed",
            "lifecycle.punctuation-interval", "PT0.1S", "how often backend results and due retries are applied",
            "lifecycle.watermark-wait", "PT30S", "how long a launch waits for its secretsWatermark to be applied before its provisioning fails",
            "lifecycle.max-run-lifetime", "", "lease: release a run's secrets this long after its launch if no completion came; empty = off",
            "lifecycle.call-deadline", "PT5M", "how long one backend call may take from the moment it is decided (rate-limiter wait included); then it is withdrawn and retried",
            "lifecycle.max-clock-skew", "PT5M", "a launch whose launchedAt is further ahead of the service's clock than this is rejected (LAUNCHED_IN_FUTURE)",
            "lifecycle.released-run-retention", "P8D", "how long a released run is remembered; must exceed stale-launch-age plus max-clock-skew",
            "lifecycle.max-secrets-per-run", "1000", "the most secrets a run's set may hold; more fails the run with TOO_MANY_SECRETS",
            "reconcile.interval", "", "how often the service runs the reconciler (e.g. PT1H); empty = never (use the reconcile command)",
            "reconcile.grace-period", "PT1H", "the reconciler never deletes what is younger than this (ListSecrets is eventually consistent)",
            "admin.host", "0.0.0.0", "admin HTTP bind address",
            "admin.port", "8080", "admin HTTP port (health, runs, metrics)",
            AdminTokenLoader.TOKEN_FILE, "", "file holding the bearer token `/runs` requires (e.g. a mounted Kubernetes Secret),"
                    + " trimmed of surrounding whitespace; at least 16 characters of letters, digits and `-._~+/=`;"
                    + " without a token `/runs` answers 403",
            AdminTokenLoader.TOKEN, "", "the token itself, from the environment only (`PIPELINE_SECRETS_ADMIN_TOKEN`, e.g."
                    + " from a `secretKeyRef`): refused in the properties file, which is a ConfigMap or a file in git;"
                    + " not together with `admin.token-file`",
            "admin.metrics-require-token", "false", "`/metrics` requires the token too (Prometheus then sends it, e.g."
                    + " `authorization.credentials_file`); health is always open");

    private ConfigLoader() {
    }

    /** Per-compute-environment overrides and bindings: {@code aws.compute-env.<id>.<setting>}. */
    public static final String AWS_COMPUTE_ENV_PREFIX = "aws.compute-env.";
    private static final String REGIONS = "regions";
    private static final String ROLE_ARNS = "role-arns";
    private static final List<String> AWS_COMPUTE_ENV_SETTINGS = List.of("name-template", "bundle", "kms-key-id", "description",
            REGIONS, ROLE_ARNS);
    /** Per-compute-environment directories: {@code filesystem.compute-env.<id>.roots}. */
    public static final String FILESYSTEM_COMPUTE_ENV_PREFIX = "filesystem.compute-env.";
    private static final String ROOTS = "roots";
    /**
     * Per-compute-environment lifecycle settings: {@code lifecycle.compute-env.<id>.max-run-lifetime} (a lease) and
     * {@code lifecycle.compute-env.<id>.workspaces} (the only workspaces that may launch on it).
     */
    public static final String LIFECYCLE_COMPUTE_ENV_PREFIX = "lifecycle.compute-env.";
    private static final String MAX_RUN_LIFETIME = "max-run-lifetime";
    private static final String WORKSPACES = "workspaces";
    private static final List<String> LIFECYCLE_COMPUTE_ENV_SETTINGS = List.of(MAX_RUN_LIFETIME, WORKSPACES);

    public static ServiceConfig load(Optional<Path> file, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        KEYS.forEach((key, meta) -> values.put(key, meta[0]));
        Map<String, Object> kafka = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        file.ifPresent(path -> readFile(path, values, kafka, problems));
        readEnvironment(environment, values, kafka, problems);
        return build(values, kafka, problems);
    }

    /** The environment variable that sets a key. */
    public static String environmentName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void readFile(Path path, Map<String, String> values, Map<String, Object> kafka, List<String> problems) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            problems.add("--config " + path + ": cannot read (" + e.getClass().getSimpleName() + "); give a readable properties file");
            return;
        }
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key).trim();
            if (key.equals(AdminTokenLoader.TOKEN)) {
                // The properties file is a ConfigMap, a file in git, a `kubectl describe` away: readable by more
                // people than may read tenant data. The token comes from a file of its own or the environment.
                problems.add(key + " must not be in " + path + ", which is not a secret; put the token in a file of its"
                        + " own (a mounted Secret) named by " + AdminTokenLoader.TOKEN_FILE + ", or set "
                        + environmentName(key));
            } else if (KEYS.containsKey(key) || key.startsWith(AWS_COMPUTE_ENV_PREFIX) || key.startsWith(LIFECYCLE_COMPUTE_ENV_PREFIX)
                    || key.startsWith(FILESYSTEM_COMPUTE_ENV_PREFIX)) {
                values.put(key, value);
            } else if (key.startsWith("kafka.")) {
                kafka.put(key.substring("kafka.".length()), value);
            } else {
                problems.add(key + ": unknown key in " + path + "; known keys are listed in the README's configuration reference");
            }
        }
    }

    private static void readEnvironment(Map<String, String> environment, Map<String, String> values,
                                        Map<String, Object> kafka, List<String> problems) {
        Map<String, String> keyByEnvironmentName = new HashMap<>();
        KEYS.keySet().forEach(key -> keyByEnvironmentName.put(environmentName(key), key));
        String kafkaPrefix = ENV_PREFIX + "KAFKA_";
        environment.forEach((name, value) -> {
            Optional<String> computeEnvironmentKey = computeEnvironmentKey(name);
            if (keyByEnvironmentName.containsKey(name)) {
                values.put(keyByEnvironmentName.get(name), value.trim());
            } else if (computeEnvironmentKey.isPresent()) {
                values.put(computeEnvironmentKey.get(), value.trim());
            } else if (name.startsWith(kafkaPrefix)) {
                kafka.put(name.substring(kafkaPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            } else if (name.startsWith(ENV_PREFIX)) {
                problems.add(name + ": unknown environment variable; see the README's configuration reference");
            }
        });
    }

    /**
     * {@code PIPELINE_SECRETS_AWS_COMPUTE_ENV_<id>_<SETTING>}, {@code PIPELINE_SECRETS_FILESYSTEM_COMPUTE_ENV_<id>_ROOTS}
     * and {@code PIPELINE_SECRETS_LIFECYCLE_COMPUTE_ENV_<id>_<SETTING>}: the compute environment id stays as written
     * (ids are case-sensitive), the setting is read from the end.
     */
    private static Optional<String> computeEnvironmentKey(String name) {
        Map<String, List<String>> settingsByPrefix = Map.of(AWS_COMPUTE_ENV_PREFIX, AWS_COMPUTE_ENV_SETTINGS,
                FILESYSTEM_COMPUTE_ENV_PREFIX, List.of(ROOTS), LIFECYCLE_COMPUTE_ENV_PREFIX, LIFECYCLE_COMPUTE_ENV_SETTINGS);
        for (Map.Entry<String, List<String>> prefix : settingsByPrefix.entrySet()) {
            String environmentPrefix = environmentName(prefix.getKey().substring(0, prefix.getKey().length() - 1)) + "_";
            if (!name.startsWith(environmentPrefix)) {
                continue;
            }
            String rest = name.substring(environmentPrefix.length());
            for (String setting : prefix.getValue()) {
                String suffix = "_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
                if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                    return Optional.of(prefix.getKey() + rest.substring(0, rest.length() - suffix.length()) + "." + setting);
                }
            }
        }
        return Optional.empty();
    }

    private static ServiceConfig build(Map<String, String> values, Map<String, Object> kafka, List<String> problems) {
        // kafka.bootstrap.servers is both a key of ours and a Kafka setting: keep one source of truth.
        Object bootstrapFromKafka = kafka.remove("bootstrap.servers");
        if (values.get("kafka.bootstrap.servers").isEmpty() && bootstrapFromKafka != null) {
            values.put("kafka.bootstrap.servers", bootstrapFromKafka.toString());
        }
        String bootstrap = required(values, "kafka.bootstrap.servers", "host:port of your Kafka brokers", problems);
        String registry = required(values, "schema.registry.url", "http(s)://host:port of the schema registry", problems);
        Duration staleAge = duration(values, "lifecycle.stale-launch-age", problems);
        Duration initialBackoff = duration(values, "lifecycle.retry-initial-backoff", problems);
        Duration maxBackoff = duration(values, "lifecycle.retry-max-backoff", problems);
        Duration punctuation = duration(values, "lifecycle.punctuation-interval", problems);
        Duration watermarkWait = duration(values, "lifecycle.watermark-wait", problems);
        Duration callDeadline = duration(values, "lifecycle.call-deadline", problems);
        Duration clockSkew = nonNegativeDuration(values, "lifecycle.max-clock-skew", problems);
        Duration retention = duration(values, "lifecycle.released-run-retention", problems);
        int maxSecretsPerRun = positiveInt(values, "lifecycle.max-secrets-per-run", problems);
        Duration reconcileInterval = values.get("reconcile.interval").isEmpty() ? null
                : duration(values, "reconcile.interval", problems);
        Duration reconcileGrace = duration(values, "reconcile.grace-period", problems);
        int maxAttempts = positiveInt(values, "lifecycle.max-provision-attempts", problems);
        int adminPort = port(values, "admin.port", problems);
        TopicSizing topicSizing = topicSizing(values, problems);
        boolean autoRegister = bool(values, "schema.registry.auto-register", problems);
        boolean anyBackend = !values.get("filesystem.allowed-roots").isEmpty() || !values.get("aws.regions").isEmpty();
        boolean named = !values.get("instance.id").isEmpty();
        if (anyBackend && !named) {
            problems.add("instance.id is required with a backend: set it to a name of this deployment's own (e.g."
                    + " secrets-lifecycle-prod-eu1, or " + environmentName("instance.id") + "). It marks what the"
                    + " service creates; two deployments sharing a name would adopt and reconcile each other's secrets");
        }
        Optional<FilesystemBackendConfig> filesystem = named || !anyBackend ? filesystem(values, problems) : Optional.empty();
        Optional<AwsBackendConfig> aws = named || !anyBackend ? aws(values, problems) : Optional.empty();
        Map<String, Map<String, String>> perComputeEnv = perComputeEnvironment(values, LIFECYCLE_COMPUTE_ENV_PREFIX,
                LIFECYCLE_COMPUTE_ENV_SETTINGS, problems);
        LeasePolicy leases = leases(values, perComputeEnv, problems);
        ComputeEnvironmentAccess computeEnvironments = computeEnvironmentAccess(perComputeEnv, problems);
        Optional<AdminToken> adminToken = AdminTokenLoader.load(values.get(AdminTokenLoader.TOKEN_FILE),
                values.get(AdminTokenLoader.TOKEN), problems);
        boolean metricsRequireToken = bool(values, "admin.metrics-require-token", problems);
        if (metricsRequireToken && values.get(AdminTokenLoader.TOKEN_FILE).isEmpty() && values.get(AdminTokenLoader.TOKEN).isEmpty()) {
            problems.add("admin.metrics-require-token=true but no admin token is configured; set "
                    + AdminTokenLoader.TOKEN_FILE + " or " + environmentName(AdminTokenLoader.TOKEN)
                    + ", or set admin.metrics-require-token=false");
        }
        LifecyclePolicy policy = null;
        if (problems.isEmpty()) {
            try {
                policy = new LifecyclePolicy(staleAge, maxAttempts, initialBackoff, maxBackoff, leases, watermarkWait,
                        callDeadline, clockSkew, retention, maxSecretsPerRun, computeEnvironments);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        aws.ifPresent(settings -> {
            if (callDeadline != null && settings.callTimeout().compareTo(callDeadline) >= 0) {
                problems.add("aws.call-timeout (" + settings.callTimeout() + ") must be shorter than lifecycle.call-deadline ("
                        + callDeadline + "): a call would be given up on before the SDK itself gives up");
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        ServiceTopics topics = new ServiceTopics(values.get("topics.launched"), values.get("topics.completed"),
                values.get("topics.secrets"), values.get("topics.audit"), values.get("topics.dlq"));
        Map<String, String> registrySettings = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith("schema.registry.") && !value.isEmpty() && !key.equals("schema.registry.url")
                    && !key.equals("schema.registry.auto-register")) {
                registrySettings.put(key, value);
            }
        });
        return new ServiceConfig(values.get("application.id"), values.get("instance.id"), bootstrap, kafka, registry,
                registrySettings, autoRegister, topics, Path.of(values.get("state.dir")), filesystem, aws,
                policy, punctuation,
                values.get("admin.host"), adminPort, new AdminAccess(adminToken, metricsRequireToken), topicSizing,
                new ReconcileSettings(reconcileInterval, reconcileGrace));
    }

    private static TopicSizing topicSizing(Map<String, String> values, List<String> problems) {
        int partitions = positiveInt(values, "topics.partitions", problems);
        int replication = positiveInt(values, "topics.replication-factor", problems);
        if (replication > Short.MAX_VALUE) {
            problems.add("topics.replication-factor=" + replication + " is not a replication factor; use the number"
                    + " of copies each partition should have, e.g. 3");
            replication = 1;
        }
        // A problem is already reported; the placeholder keeps the record valid until the ConfigException is thrown.
        return new TopicSizing(Math.max(1, partitions), (short) Math.max(1, replication));
    }

    private static Optional<FilesystemBackendConfig> filesystem(Map<String, String> values, List<String> problems) {
        String roots = values.get("filesystem.allowed-roots");
        boolean bindingRequired = bool(values, FilesystemComputeEnvBindings.REQUIRED_KEY, problems);
        Map<String, List<Path>> bound = new TreeMap<>();
        perComputeEnvironment(values, FILESYSTEM_COMPUTE_ENV_PREFIX, List.of(ROOTS), problems).forEach((computeEnv, settings) ->
                bound.put(computeEnv, list(settings.get(ROOTS)).stream().map(Path::of).toList()));
        if (roots.isEmpty()) {
            if (!values.get("filesystem.default-root").isEmpty()) {
                problems.add("filesystem.default-root is set but filesystem.allowed-roots is empty; list the root there too");
            }
            if (!bound.isEmpty()) {
                problems.add("filesystem.compute-env.* settings are given but filesystem.allowed-roots is empty; list the"
                        + " roots there to turn the filesystem backend on");
            }
            return Optional.empty();
        }
        List<Path> paths = list(roots).stream().map(Path::of).toList();
        String defaultRoot = values.get("filesystem.default-root");
        try {
            FilesystemBackendConfig config = new FilesystemBackendConfig(paths, defaultRoot.isEmpty() ? null : Path.of(defaultRoot),
                    values.get("instance.id"));
            FilesystemComputeEnvBindings bindings = new FilesystemComputeEnvBindings(bound, bindingRequired);
            List<String> bindingProblems = bindings.problems(config.allowedRoots());
            problems.addAll(bindingProblems);
            return bindingProblems.isEmpty() ? Optional.of(config.withBindings(bindings)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Every {@code <prefix><computeEnvId>.<setting>} key, by compute environment id and setting; a key without a
     * known setting is a problem naming it.
     */
    private static Map<String, Map<String, String>> perComputeEnvironment(Map<String, String> values, String prefix,
                                                                         List<String> settings, List<String> problems) {
        Map<String, Map<String, String>> byComputeEnv = new TreeMap<>();
        values.forEach((key, value) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            String rest = key.substring(prefix.length());
            int dot = rest.lastIndexOf('.');
            String setting = dot < 0 ? "" : rest.substring(dot + 1);
            if (dot <= 0 || !settings.contains(setting)) {
                problems.add(key + ": use " + prefix + "<computeEnvId>.<setting> with setting one of " + settings);
            } else {
                byComputeEnv.computeIfAbsent(rest.substring(0, dot), id -> new HashMap<>()).put(setting, value);
            }
        });
        return byComputeEnv;
    }

    private static Optional<AwsBackendConfig> aws(Map<String, String> values, List<String> problems) {
        List<String> regions = list(values.get("aws.regions"));
        boolean bindingRequired = bool(values, AwsComputeEnvBindings.REQUIRED_KEY, problems);
        Map<String, Map<String, String>> overrides = perComputeEnvironment(values, AWS_COMPUTE_ENV_PREFIX,
                AWS_COMPUTE_ENV_SETTINGS, problems);
        if (regions.isEmpty()) {
            if (!overrides.isEmpty()) {
                problems.add("aws.compute-env.* settings are given but aws.regions is empty; list the regions to turn the AWS backend on");
            }
            return Optional.empty();
        }
        Double rate = parse(values, "aws.calls-per-second", problems, Double::valueOf, "a number of calls per second, e.g. 40");
        Duration callTimeout = duration(values, "aws.call-timeout", problems);
        String endpoint = values.get("aws.endpoint");
        Set<String> roleArns = Set.copyOf(list(values.get("aws.role-arns")));
        AwsComputeEnvBindings bindings = awsBindings(overrides, bindingRequired);
        problems.addAll(bindings.problems(Set.copyOf(regions), roleArns));
        try {
            AwsEnvironmentSettings defaults = new AwsEnvironmentSettings(values.get("aws.name-template"),
                    bool(values, "aws.bundle", problems), emptyToNull(values.get("aws.kms-key-id")),
                    emptyToNull(values.get("aws.description")));
            Map<String, AwsEnvironmentSettings> environments = awsEnvironments(overrides, defaults);
            if (!problems.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new AwsBackendConfig(values.get("instance.id"), defaults, environments, Set.copyOf(regions),
                    roleArns, emptyToNull(values.get("aws.role-external-id")), rate,
                    endpoint.isEmpty() ? null : URI.create(endpoint), callTimeout)
                    .withBindings(bindings).withAccountId(emptyToNull(values.get("aws.account-id"))));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code aws.compute-env.<id>.regions} and {@code .role-arns}: what each compute environment may use. */
    private static AwsComputeEnvBindings awsBindings(Map<String, Map<String, String>> overrides, boolean required) {
        Map<String, Set<String>> regions = new TreeMap<>();
        Map<String, Set<String>> roleArns = new TreeMap<>();
        overrides.forEach((computeEnv, settings) -> {
            if (settings.containsKey(REGIONS)) {
                regions.put(computeEnv, Set.copyOf(list(settings.get(REGIONS))));
            }
            if (settings.containsKey(ROLE_ARNS)) {
                roleArns.put(computeEnv, Set.copyOf(list(settings.get(ROLE_ARNS))));
            }
        });
        return new AwsComputeEnvBindings(regions, roleArns, required);
    }

    /** The other {@code aws.compute-env.<id>.*} settings: how each compute environment's secrets are written. */
    private static Map<String, AwsEnvironmentSettings> awsEnvironments(Map<String, Map<String, String>> overrides,
                                                                       AwsEnvironmentSettings defaults) {
        Map<String, AwsEnvironmentSettings> environments = new HashMap<>();
        overrides.forEach((computeEnv, settings) -> {
            if (settings.keySet().stream().anyMatch(setting -> !setting.equals(REGIONS) && !setting.equals(ROLE_ARNS))) {
                environments.put(computeEnv, new AwsEnvironmentSettings(
                        settings.getOrDefault("name-template", defaults.nameTemplate()),
                        Boolean.parseBoolean(settings.getOrDefault("bundle", Boolean.toString(defaults.bundle()))),
                        settings.getOrDefault("kms-key-id", defaults.kmsKeyId()),
                        settings.getOrDefault("description", defaults.description())));
            }
        });
        return environments;
    }

    private static LeasePolicy leases(Map<String, String> values, Map<String, Map<String, String>> perComputeEnv,
                                      List<String> problems) {
        Duration fallback = values.get("lifecycle.max-run-lifetime").isEmpty() ? null
                : duration(values, "lifecycle.max-run-lifetime", problems);
        Map<String, Duration> byComputeEnv = new HashMap<>();
        perComputeEnv.forEach((computeEnv, settings) -> {
            if (settings.containsKey(MAX_RUN_LIFETIME)) {
                Duration lifetime = duration(values, LIFECYCLE_COMPUTE_ENV_PREFIX + computeEnv + "." + MAX_RUN_LIFETIME,
                        problems);
                if (lifetime != null) {
                    byComputeEnv.put(computeEnv, lifetime);
                }
            }
        });
        return new LeasePolicy(fallback, byComputeEnv);
    }

    private static ComputeEnvironmentAccess computeEnvironmentAccess(Map<String, Map<String, String>> perComputeEnv,
                                                                     List<String> problems) {
        Map<String, Set<String>> workspaces = new HashMap<>();
        perComputeEnv.forEach((computeEnv, settings) -> {
            if (settings.containsKey(WORKSPACES)) {
                List<String> ids = list(settings.get(WORKSPACES));
                if (ids.isEmpty()) {
                    problems.add(LIFECYCLE_COMPUTE_ENV_PREFIX + computeEnv + "." + WORKSPACES + " is empty: list the"
                            + " workspace ids that may launch on compute environment " + computeEnv
                            + ", or remove the key to let every workspace");
                }
                workspaces.put(computeEnv, Set.copyOf(ids));
            }
        });
        return new ComputeEnvironmentAccess(workspaces);
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static String required(Map<String, String> values, String key, String what, List<String> problems) {
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            problems.add(key + " is required: set it to " + what + " (or " + environmentName(key) + ")");
        }
        return value;
    }

    private static Duration duration(Map<String, String> values, String key, List<String> problems) {
        Duration value = parse(values, key, problems, ConfigLoader::parseDuration, "a duration such as PT30S, 500ms, 10s, 5m, 24h");
        if (value != null && (value.isNegative() || value.isZero())) {
            problems.add(key + "=" + values.get(key) + " must be longer than zero");
        }
        return value;
    }

    private static Duration nonNegativeDuration(Map<String, String> values, String key, List<String> problems) {
        Duration value = parse(values, key, problems, ConfigLoader::parseDuration, "a duration such as PT5M, 30s, 0s");
        if (value != null && value.isNegative()) {
            problems.add(key + "=" + values.get(key) + " must not be negative");
        }
        return value;
    }

    private static int positiveInt(Map<String, String> values, String key, List<String> problems) {
        Integer value = parse(values, key, problems, Integer::valueOf, "a positive whole number");
        if (value != null && value < 1) {
            problems.add(key + "=" + value + " must be at least 1");
        }
        return value == null ? 1 : value;
    }

    private static int port(Map<String, String> values, String key, List<String> problems) {
        Integer value = parse(values, key, problems, Integer::valueOf, "a port number 0-65535");
        if (value != null && (value < 0 || value > 65535)) {
            problems.add(key + "=" + value + " is not a port number; use 0-65535");
        }
        return value == null ? 0 : value;
    }

    private static boolean bool(Map<String, String> values, String key, List<String> problems) {
        String value = values.get(key).toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            problems.add(key + "=" + values.get(key) + " must be true or false");
        }
        return value.equals("true");
    }

    private static <T> T parse(Map<String, String> values, String key, List<String> problems,
                               Function<String, T> parser, String expected) {
        try {
            return parser.apply(values.get(key));
        } catch (RuntimeException e) {
            problems.add(key + "=" + values.get(key) + " is not valid; use " + expected);
            return null;
        }
    }

    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e);
        }
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}, {"d", "86400000"}};
        for (String[] unit : units) {
            if (value.endsWith(unit[0]) && value.length() > unit[0].length()
                    && Character.isDigit(value.charAt(value.length() - unit[0].length() - 1))) {
                long amount = Long.parseLong(value.substring(0, value.length() - unit[0].length()));
                return Duration.ofMillis(Math.multiplyExact(amount, Long.parseLong(unit[1])));
            }
        }
        throw new IllegalArgumentException("not a duration: " + text);
    }

    private static Map<String, String[]> keys(String... triples) {
        Map<String, String[]> keys = new LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            keys.put(triples[i], new String[] {triples[i + 1], triples[i + 2]});
        }
        return java.util.Collections.unmodifiableMap(keys);
    }
}
