package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.backend.aws.AwsComputeEnvBindings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemComputeEnvBindings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.pipelinesecrets.lifecycle.config.ValueType.BOOLEAN;
import static io.pipelinesecrets.lifecycle.config.ValueType.DURATION;
import static io.pipelinesecrets.lifecycle.config.ValueType.INT;
import static io.pipelinesecrets.lifecycle.config.ValueType.LIST;
import static io.pipelinesecrets.lifecycle.config.ValueType.NUMBER;
import static io.pipelinesecrets.lifecycle.config.ValueType.PATH;
import static io.pipelinesecrets.lifecycle.config.ValueType.PATH_LIST;
import static io.pipelinesecrets.lifecycle.config.ValueType.STRING;
import static io.pipelinesecrets.lifecycle.config.ValueType.URI_TYPE;

/**
 * Every key the service reads, declared once with its type, rules, default and meaning, in the groups the
 * configuration reference ({@code docs/configuration.md}, rendered by {@link ConfigurationReference}) shows.
 */
public final class ServiceKeys {

    /** A heading of the configuration reference and the keys under it. */
    public record Group(String title, String introduction, List<Key<?>> keys) {
        public Group {
            keys = List.copyOf(keys);
        }
    }

    // ---- application and Kafka

    public static final Key<String> APPLICATION_ID = Key.of("application.id", STRING, "secrets-lifecycle",
            "Kafka Streams application id; instances sharing it share the work");
    public static final Key<String> INSTANCE_ID = Key.of("instance.id", STRING,
            "this deployment's name, written as the managed-by mark on what it creates (required with any backend;"
                    + " `run` refuses to start without it then)");
    public static final Key<String> BOOTSTRAP_SERVERS = Key.of("kafka.bootstrap.servers", STRING,
            "Kafka bootstrap servers").requiredAs("host:port of your Kafka brokers");
    public static final Key<Path> STATE_DIR = Key.of("state.dir", PATH, "/var/lib/secrets-lifecycle",
            "Kafka Streams state directory (run state; no values)");

    // ---- schema registry

    public static final Key<String> SCHEMA_REGISTRY_URL = Key.of("schema.registry.url", STRING,
            "Confluent-compatible schema registry, `http(s)://host:port[,...]` or `mock://<scope>`")
            .requiredAs("http(s)://host:port of the schema registry");
    public static final Key<Boolean> SCHEMA_REGISTRY_AUTO_REGISTER = Key.of("schema.registry.auto-register", BOOLEAN,
            "false", "register the service's schemas on first use (dev only; production pre-registers)");
    public static final Key<String> SCHEMA_REGISTRY_BASIC_AUTH = Key.of("schema.registry.basic-auth.user-info", STRING,
            "`user:password` for HTTP basic auth to the registry").asSecret();
    public static final Key<String> SCHEMA_REGISTRY_BEARER_TOKEN = Key.of("schema.registry.bearer-token", STRING,
            "bearer token for the registry (instead of basic auth)").asSecret();
    public static final Key<Path> SCHEMA_REGISTRY_TRUSTSTORE_LOCATION = Key.of("schema.registry.ssl.truststore.location",
            PATH, "trust store for the registry's TLS certificate");
    public static final Key<String> SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD = Key.of("schema.registry.ssl.truststore.password",
            STRING, "its password").asSecret();
    public static final Key<String> SCHEMA_REGISTRY_TRUSTSTORE_TYPE = Key.of("schema.registry.ssl.truststore.type",
            STRING, "its type, JKS (default) or PKCS12");
    public static final Key<Duration> SCHEMA_REGISTRY_REQUEST_TIMEOUT = Key.of("schema.registry.request-timeout",
            DURATION, "PT10S", "timeout of one registry request").rule(Rule.positiveDuration());

    // ---- topics

    public static final Key<String> TOPIC_LAUNCHED = Key.of("topics.launched", STRING, ServiceTopics.DEFAULTS.launched(),
            "workflow-launched topic");
    public static final Key<String> TOPIC_COMPLETED = Key.of("topics.completed", STRING,
            ServiceTopics.DEFAULTS.completed(), "workflow-completed topic");
    public static final Key<String> TOPIC_SECRETS = Key.of("topics.secrets", STRING, ServiceTopics.DEFAULTS.secrets(),
            "compacted secrets topic");
    public static final Key<String> TOPIC_AUDIT = Key.of("topics.audit", STRING, ServiceTopics.DEFAULTS.audit(),
            "audit topic");
    public static final Key<String> TOPIC_DLQ = Key.of("topics.dlq", STRING, ServiceTopics.DEFAULTS.deadLetters(),
            "dead-letter topic");
    public static final Key<Integer> TOPIC_PARTITIONS = Key.of("topics.partitions", INT,
            Integer.toString(TopicSizing.DEFAULTS.partitions()),
            "partitions of the workflow, secrets and audit topics `topics apply` creates (the DLQ gets 1, to keep its"
                    + " order)").rule(Rule.atLeast(1));
    public static final Key<Integer> TOPIC_REPLICATION_FACTOR = Key.of("topics.replication-factor", INT,
            Integer.toString(TopicSizing.DEFAULTS.replicationFactor()),
            "replication of the topics `topics apply` creates; `min.insync.replicas` is 2 from 3 replicas up, else 1")
            .rule(Rule.atLeast(1))
            .rule(new Rule<>(value -> value <= Short.MAX_VALUE, "<= " + Short.MAX_VALUE, "is not a replication factor;"
                    + " use the number of copies each partition should have, e.g. 3"));

    // ---- lifecycle

    public static final Key<Duration> STALE_LAUNCH_AGE = Key.of("lifecycle.stale-launch-age", DURATION, "PT24H",
            "a launch older than this with no state is not provisioned").rule(Rule.positiveDuration());
    public static final Key<Integer> MAX_PROVISION_ATTEMPTS = Key.of("lifecycle.max-provision-attempts", INT, "8",
            "retryable provisioning failures tolerated before the run fails").rule(Rule.atLeast(1));
    public static final Key<Duration> RETRY_INITIAL_BACKOFF = Key.of("lifecycle.retry-initial-backoff", DURATION, "PT1S",
            "first retry delay; doubles per attempt").rule(Rule.positiveDuration());
    public static final Key<Duration> RETRY_MAX_BACKOFF = Key.of("lifecycle.retry-max-backoff", DURATION, "PT5M",
            "retry delay cap; releases retry at this pace until they succeed").rule(Rule.positiveDuration());
    public static final Key<Duration> PUNCTUATION_INTERVAL = Key.of("lifecycle.punctuation-interval", DURATION, "PT0.1S",
            "how often backend results and due retries are applied").rule(Rule.positiveDuration());
    public static final Key<Duration> WATERMARK_WAIT = Key.of("lifecycle.watermark-wait", DURATION, "PT30S",
            "how long a launch waits for its `secretsWatermark` to be applied before its provisioning fails")
            .rule(Rule.positiveDuration());
    public static final Key<Duration> MAX_RUN_LIFETIME = Key.of("lifecycle.max-run-lifetime", DURATION,
            "lease: release a run's secrets this long after its launch if no completion came; empty = off")
            .rule(Rule.positiveDuration());
    public static final Key<Duration> CALL_DEADLINE = Key.of("lifecycle.call-deadline", DURATION, "PT5M",
            "how long one backend call may take from the moment it is decided (rate-limiter wait included); then it"
                    + " is withdrawn and retried").rule(Rule.positiveDuration());
    public static final Key<Duration> MAX_CLOCK_SKEW = Key.of("lifecycle.max-clock-skew", DURATION, "PT5M",
            "a launch whose `launchedAt` is further ahead of the service's clock than this is rejected"
                    + " (`LAUNCHED_IN_FUTURE`)").rule(Rule.nonNegativeDuration());
    public static final Key<Duration> RELEASED_RUN_RETENTION = Key.of("lifecycle.released-run-retention", DURATION, "P8D",
            "how long a released run is remembered; must exceed `stale-launch-age` plus `max-clock-skew`")
            .rule(Rule.positiveDuration());
    public static final Key<Integer> MAX_SECRETS_PER_RUN = Key.of("lifecycle.max-secrets-per-run", INT, "1000",
            "the most secrets a run's set may hold; more fails the run with `TOO_MANY_SECRETS`").rule(Rule.atLeast(1));

    // ---- filesystem backend

    public static final Key<List<Path>> FILESYSTEM_ALLOWED_ROOTS = Key.of(FilesystemBackendConfig.ALLOWED_ROOTS_KEY,
            PATH_LIST, "comma-separated absolute directories the filesystem backend may write under; empty = backend off");
    public static final Key<Path> FILESYSTEM_DEFAULT_ROOT = Key.of(FilesystemBackendConfig.DEFAULT_ROOT_KEY, PATH,
            "root used when a launch names no `secretsPath`");
    public static final Key<Boolean> FILESYSTEM_REQUIRE_BINDING = Key.of(FilesystemComputeEnvBindings.REQUIRED_KEY,
            BOOLEAN, "false", "when true, a compute environment without `filesystem.compute-env.<id>.roots` may use no"
                    + " directory (`PATH_NOT_ALLOWED`)");

    // ---- AWS Secrets Manager backend

    public static final Key<List<String>> AWS_REGIONS = Key.of("aws.regions", LIST,
            "comma-separated regions the AWS Secrets Manager backend may write to; empty = backend off");
    public static final Key<List<String>> AWS_ROLE_ARNS = Key.of("aws.role-arns", LIST,
            "comma-separated IAM roles a launch may name in `computeEnv.accountRoleArn`");
    public static final Key<String> AWS_ROLE_EXTERNAL_ID = Key.of("aws.role-external-id", STRING,
            "external id passed when assuming those roles");
    public static final Key<Boolean> AWS_REQUIRE_BINDING = Key.of(AwsComputeEnvBindings.REQUIRED_KEY, BOOLEAN, "false",
            "when true, a compute environment may use only the regions and roles of its"
                    + " `aws.compute-env.<id>.regions` / `role-arns`, and none without them (`REGION_NOT_ALLOWED` /"
                    + " `ROLE_NOT_ALLOWED`)");
    public static final Key<String> AWS_ACCOUNT_ID = Key.of("aws.account-id", STRING,
            "12-digit account of the service's own credentials, so that they and roles of that account share one rate"
                    + " limiter; empty = counted apart");
    public static final Key<String> AWS_NAME_TEMPLATE = Key.of("aws.name-template", STRING,
            AwsEnvironmentSettings.DEFAULT_NAME_TEMPLATE, "secret name; `{runId}` and `{name}` are replaced");
    public static final Key<Boolean> AWS_BUNDLE = Key.of("aws.bundle", BOOLEAN, "false",
            "one JSON secret per run holding every name, instead of one secret per name");
    public static final Key<String> AWS_KMS_KEY_ID = Key.of("aws.kms-key-id", STRING,
            "KMS key for the secrets (default: the account's `aws/secretsmanager` key)");
    public static final Key<String> AWS_DESCRIPTION = Key.of("aws.description", STRING,
            AwsEnvironmentSettings.DEFAULTS.description(), "description set on every secret");
    public static final Key<Double> AWS_CALLS_PER_SECOND = Key.of("aws.calls-per-second", NUMBER, "40",
            "client-side limit of create/delete calls per account and region").rule(Rule.positiveNumber());
    public static final Key<URI> AWS_ENDPOINT = Key.of("aws.endpoint", URI_TYPE,
            "Secrets Manager endpoint override (an emulator); empty = AWS");
    public static final Key<Duration> AWS_CALL_TIMEOUT = Key.of("aws.call-timeout", DURATION, "PT30S",
            "bound on one Secrets Manager call including the SDK's retries; must be shorter than"
                    + " `lifecycle.call-deadline`").rule(Rule.positiveDuration());

    // ---- Google Secret Manager backend

    public static final Key<List<String>> GOOGLE_PROJECTS = Key.of("google.projects", LIST,
            "comma-separated projects the Google Secret Manager backend may write to; empty = backend off");
    public static final Key<String> GOOGLE_PROJECT = Key.of("google.project", STRING,
            "project of compute environments without `google.compute-env.<id>.project` (must be in `google.projects`);"
                    + " empty = they fail `PROJECT_MISSING`");
    public static final Key<List<String>> GOOGLE_LOCATIONS = Key.of("google.locations", LIST,
            "comma-separated locations compute environments may be pinned to (regional secrets)");
    public static final Key<String> GOOGLE_LOCATION = Key.of("google.location", STRING,
            "location of compute environments without `google.compute-env.<id>.location`; empty = global secrets");
    public static final Key<List<String>> GOOGLE_SERVICE_ACCOUNTS = Key.of("google.service-accounts", LIST,
            "comma-separated service accounts the service may impersonate for a compute environment bound to one");
    public static final Key<Boolean> GOOGLE_REQUIRE_BINDING = Key.of("google.require-compute-env-binding", BOOLEAN,
            "false", "when true, a compute environment without `google.compute-env.<id>.project` writes nowhere"
                    + " (`PROJECT_MISSING`) instead of to `google.project`");
    public static final Key<String> GOOGLE_SECRET_ID_TEMPLATE = Key.of("google.secret-id-template", STRING,
            GoogleSecretIds.DEFAULT_TEMPLATE, "secret id; `{runId}` and `{name}` are replaced; in bundle mode `{name}`"
                    + " and the separator before it are dropped");
    public static final Key<Boolean> GOOGLE_BUNDLE = Key.of("google.bundle", BOOLEAN, "false",
            "one JSON secret per run holding every name, instead of one secret per name");
    public static final Key<Duration> GOOGLE_MAX_SECRET_LIFETIME = Key.of("google.max-secret-lifetime", DURATION, "P3D",
            "expiry (`ttl`) of every secret whose compute environment has no lease; Google deletes it then even if the"
                    + " service is gone, so set it above the longest run").rule(Rule.positiveDuration());
    public static final Key<Double> GOOGLE_WRITES_PER_MINUTE = Key.of("google.writes-per-minute", NUMBER, "540",
            "client-side limit of create, add-version and delete calls per project, per instance (Google allows 600 a"
                    + " project, shared by every instance)")
            .rule(Rule.positiveNumber());
    public static final Key<Double> GOOGLE_READS_PER_MINUTE = Key.of("google.reads-per-minute", NUMBER, "540",
            "client-side limit of get and list calls per project, per instance (Google allows 600)").rule(Rule.positiveNumber());
    public static final Key<URI> GOOGLE_ENDPOINT = Key.of("google.endpoint", URI_TYPE,
            "Secret Manager endpoint override; `http://host:port` = plain text without credentials (the test double);"
                    + " empty = Google's global or regional endpoint");
    public static final Key<Duration> GOOGLE_CALL_TIMEOUT = Key.of("google.call-timeout", DURATION, "PT30S",
            "deadline of one Secret Manager call; must be shorter than `lifecycle.call-deadline`")
            .rule(Rule.positiveDuration());

    // ---- reconciler

    public static final Key<Duration> RECONCILE_INTERVAL = Key.of("reconcile.interval", DURATION,
            "how often the service runs the reconciler (e.g. `PT1H`); empty = never (use the `reconcile` command)")
            .rule(Rule.positiveDuration());
    public static final Key<Duration> RECONCILE_GRACE_PERIOD = Key.of("reconcile.grace-period", DURATION,
            ReconcileSettings.DEFAULT_GRACE.toString(),
            "the reconciler never deletes what is younger than this (ListSecrets is eventually consistent)")
            .rule(Rule.positiveDuration());

    // ---- admin HTTP

    public static final Key<String> ADMIN_HOST = Key.of("admin.host", STRING, "0.0.0.0", "admin HTTP bind address");
    public static final Key<Integer> ADMIN_PORT = Key.of("admin.port", INT, "8080",
            "admin HTTP port (health, runs, metrics)").rule(Rule.port());
    public static final Key<Path> ADMIN_TOKEN_FILE = Key.of(AdminTokenLoader.TOKEN_FILE, PATH,
            "file holding the bearer token `/runs` requires (e.g. a mounted Kubernetes Secret), trimmed of surrounding"
                    + " whitespace; at least 16 characters of letters, digits and `-._~+/=`; without a token `/runs`"
                    + " answers 403");
    public static final Key<String> ADMIN_TOKEN = Key.of(AdminTokenLoader.TOKEN, STRING,
            "the token itself, from the environment only (`PIPELINE_SECRETS_ADMIN_TOKEN`, e.g. from a `secretKeyRef`):"
                    + " refused in the properties file, which is a ConfigMap or a file in git; not together with"
                    + " `admin.token-file`")
            .asSecret()
            .fromEnvironmentOnly("put the token in a file of its own (a mounted Secret) named by "
                    + AdminTokenLoader.TOKEN_FILE);
    public static final Key<Boolean> ADMIN_METRICS_REQUIRE_TOKEN = Key.of("admin.metrics-require-token", BOOLEAN, "false",
            "`/metrics` requires the token too (Prometheus then sends it, e.g. `authorization.credentials_file`);"
                    + " health is always open");

    // ---- per compute environment

    public static final String LIFECYCLE_COMPUTE_ENV = "lifecycle.compute-env.";
    public static final String FILESYSTEM_COMPUTE_ENV = "filesystem.compute-env.";
    public static final String AWS_COMPUTE_ENV = "aws.compute-env.";
    public static final String GOOGLE_COMPUTE_ENV = "google.compute-env.";

    public static final PerComputeEnv<Duration> COMPUTE_ENV_MAX_RUN_LIFETIME = PerComputeEnv.overriding(
            LIFECYCLE_COMPUTE_ENV, "max-run-lifetime", MAX_RUN_LIFETIME,
            "lease of one compute environment, overriding `lifecycle.max-run-lifetime`");
    public static final PerComputeEnv<List<String>> COMPUTE_ENV_WORKSPACES = PerComputeEnv.of(LIFECYCLE_COMPUTE_ENV,
            "workspaces", LIST, "comma-separated workspaces that alone may launch on this compute environment; others"
                    + " fail with `COMPUTE_ENV_NOT_ALLOWED`; unset = every workspace; empty is refused");
    public static final PerComputeEnv<List<Path>> COMPUTE_ENV_ROOTS = PerComputeEnv.of(FILESYSTEM_COMPUTE_ENV, "roots",
            PATH_LIST, "comma-separated absolute directories a launch of that compute environment may use instead of"
                    + " all of `filesystem.allowed-roots` (each must lie inside one)");
    public static final PerComputeEnv<String> COMPUTE_ENV_NAME_TEMPLATE = PerComputeEnv.overriding(AWS_COMPUTE_ENV,
            "name-template", AWS_NAME_TEMPLATE, "overrides `aws.name-template` for that compute environment");
    public static final PerComputeEnv<Boolean> COMPUTE_ENV_BUNDLE = PerComputeEnv.overriding(AWS_COMPUTE_ENV, "bundle",
            AWS_BUNDLE, "overrides `aws.bundle` for that compute environment");
    public static final PerComputeEnv<String> COMPUTE_ENV_KMS_KEY_ID = PerComputeEnv.overriding(AWS_COMPUTE_ENV,
            "kms-key-id", AWS_KMS_KEY_ID, "overrides `aws.kms-key-id` for that compute environment; empty = the"
                    + " account's default key");
    public static final PerComputeEnv<String> COMPUTE_ENV_DESCRIPTION = PerComputeEnv.overriding(AWS_COMPUTE_ENV,
            "description", AWS_DESCRIPTION, "overrides `aws.description` for that compute environment");
    public static final PerComputeEnv<List<String>> COMPUTE_ENV_REGIONS = PerComputeEnv.of(AWS_COMPUTE_ENV, "regions",
            LIST, "comma-separated regions a launch of that compute environment may name instead of all of"
                    + " `aws.regions` (each must be in `aws.regions`)");
    public static final PerComputeEnv<List<String>> COMPUTE_ENV_ROLE_ARNS = PerComputeEnv.of(AWS_COMPUTE_ENV, "role-arns",
            LIST, "comma-separated roles a launch of that compute environment may name instead of all of"
                    + " `aws.role-arns` (each must be in `aws.role-arns`)");

    public static final PerComputeEnv<String> COMPUTE_ENV_GOOGLE_PROJECT = PerComputeEnv.overriding(GOOGLE_COMPUTE_ENV,
            "project", GOOGLE_PROJECT, "project that compute environment writes to (must be in `google.projects`)");
    public static final PerComputeEnv<String> COMPUTE_ENV_GOOGLE_LOCATION = PerComputeEnv.overriding(GOOGLE_COMPUTE_ENV,
            "location", GOOGLE_LOCATION, "pins that compute environment's secrets to a location (must be in"
                    + " `google.locations`); empty = global");
    public static final PerComputeEnv<String> COMPUTE_ENV_GOOGLE_SERVICE_ACCOUNT = PerComputeEnv.of(GOOGLE_COMPUTE_ENV,
            "service-account", STRING, "service account impersonated for that compute environment (must be in"
                    + " `google.service-accounts`); unset = the service's own credentials");
    public static final PerComputeEnv<String> COMPUTE_ENV_GOOGLE_SECRET_ID_TEMPLATE = PerComputeEnv.overriding(
            GOOGLE_COMPUTE_ENV, "secret-id-template", GOOGLE_SECRET_ID_TEMPLATE,
            "overrides `google.secret-id-template` for that compute environment");
    public static final PerComputeEnv<Boolean> COMPUTE_ENV_GOOGLE_BUNDLE = PerComputeEnv.overriding(GOOGLE_COMPUTE_ENV,
            "bundle", GOOGLE_BUNDLE, "overrides `google.bundle` for that compute environment");

    public static final List<Group> GROUPS = List.of(
            new Group("Application and Kafka", "Any other Kafka client or Streams setting passes through as"
                    + " `kafka.<setting>` (e.g. `kafka.security.protocol=SASL_SSL`).",
                    List.of(APPLICATION_ID, INSTANCE_ID, BOOTSTRAP_SERVERS, STATE_DIR)),
            new Group("Schema registry", "Handed to the registry client; blank values count as unset.",
                    List.of(SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_AUTO_REGISTER, SCHEMA_REGISTRY_BASIC_AUTH,
                            SCHEMA_REGISTRY_BEARER_TOKEN, SCHEMA_REGISTRY_TRUSTSTORE_LOCATION,
                            SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD, SCHEMA_REGISTRY_TRUSTSTORE_TYPE,
                            SCHEMA_REGISTRY_REQUEST_TIMEOUT)),
            new Group("Topics", "The topic names, and how `topics apply` creates the topics.",
                    List.of(TOPIC_LAUNCHED, TOPIC_COMPLETED, TOPIC_SECRETS, TOPIC_AUDIT, TOPIC_DLQ, TOPIC_PARTITIONS,
                            TOPIC_REPLICATION_FACTOR)),
            new Group("Lifecycle", "How runs are provisioned, retried, leased and remembered.",
                    List.of(STALE_LAUNCH_AGE, MAX_PROVISION_ATTEMPTS, RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF,
                            PUNCTUATION_INTERVAL, WATERMARK_WAIT, MAX_RUN_LIFETIME, CALL_DEADLINE, MAX_CLOCK_SKEW,
                            RELEASED_RUN_RETENTION, MAX_SECRETS_PER_RUN)),
            new Group("Shared-filesystem backend", "On when `filesystem.allowed-roots` lists a directory.",
                    List.of(FILESYSTEM_ALLOWED_ROOTS, FILESYSTEM_DEFAULT_ROOT, FILESYSTEM_REQUIRE_BINDING)),
            new Group("AWS Secrets Manager backend", "On when `aws.regions` lists a region.",
                    List.of(AWS_REGIONS, AWS_ROLE_ARNS, AWS_ROLE_EXTERNAL_ID, AWS_REQUIRE_BINDING, AWS_ACCOUNT_ID,
                            AWS_NAME_TEMPLATE, AWS_BUNDLE, AWS_KMS_KEY_ID, AWS_DESCRIPTION, AWS_CALLS_PER_SECOND,
                            AWS_ENDPOINT, AWS_CALL_TIMEOUT)),
            new Group("Google Secret Manager backend", "On when `google.projects` lists a project. Project, location"
                    + " and identity come from here per compute environment, never from the launch event.",
                    List.of(GOOGLE_PROJECTS, GOOGLE_PROJECT, GOOGLE_LOCATIONS, GOOGLE_LOCATION, GOOGLE_SERVICE_ACCOUNTS,
                            GOOGLE_REQUIRE_BINDING, GOOGLE_SECRET_ID_TEMPLATE, GOOGLE_BUNDLE, GOOGLE_MAX_SECRET_LIFETIME,
                            GOOGLE_WRITES_PER_MINUTE, GOOGLE_READS_PER_MINUTE, GOOGLE_ENDPOINT, GOOGLE_CALL_TIMEOUT)),
            new Group("Reconciler", "The net under the lifecycle: deletes what the service owns and no run holds.",
                    List.of(RECONCILE_INTERVAL, RECONCILE_GRACE_PERIOD)),
            new Group("Admin HTTP", "Health, `/runs` and `/metrics`.",
                    List.of(ADMIN_HOST, ADMIN_PORT, ADMIN_TOKEN_FILE, ADMIN_TOKEN, ADMIN_METRICS_REQUIRE_TOKEN)));

    /** Every global key, in the reference's order. */
    public static final List<Key<?>> ALL = GROUPS.stream().flatMap(group -> group.keys().stream()).toList();

    /** Every global key by name. */
    public static final Map<String, Key<?>> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Key::name, Function.identity()));

    /** Every per-compute-environment setting, in the reference's order. */
    public static final List<PerComputeEnv<?>> PER_COMPUTE_ENV = List.of(COMPUTE_ENV_MAX_RUN_LIFETIME,
            COMPUTE_ENV_WORKSPACES, COMPUTE_ENV_ROOTS, COMPUTE_ENV_NAME_TEMPLATE, COMPUTE_ENV_BUNDLE,
            COMPUTE_ENV_KMS_KEY_ID, COMPUTE_ENV_DESCRIPTION, COMPUTE_ENV_REGIONS, COMPUTE_ENV_ROLE_ARNS,
            COMPUTE_ENV_GOOGLE_PROJECT, COMPUTE_ENV_GOOGLE_LOCATION, COMPUTE_ENV_GOOGLE_SERVICE_ACCOUNT,
            COMPUTE_ENV_GOOGLE_SECRET_ID_TEMPLATE, COMPUTE_ENV_GOOGLE_BUNDLE);

    /** The prefixes of {@link #PER_COMPUTE_ENV}, each with its settings in order. */
    public static final Map<String, List<String>> PER_COMPUTE_ENV_SETTINGS = PER_COMPUTE_ENV.stream().collect(
            Collectors.groupingBy(PerComputeEnv::prefix, java.util.LinkedHashMap::new,
                    Collectors.mapping(PerComputeEnv::setting, Collectors.toUnmodifiableList())));

    private ServiceKeys() {
    }
}
