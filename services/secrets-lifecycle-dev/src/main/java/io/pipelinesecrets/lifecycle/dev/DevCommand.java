package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.lifecycle.admin.AdminAccess;
import io.pipelinesecrets.lifecycle.admin.AdminToken;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.aws.CredentialsFactory;
import io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.cli.ServiceRuntime;
import io.pipelinesecrets.lifecycle.config.AdminTokenLoader;
import io.pipelinesecrets.lifecycle.config.ConfigException;
import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.ReconcileSettings;
import io.pipelinesecrets.lifecycle.config.ServiceConfig;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.config.TopicSizing;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.service.TopicCheck;
import io.pipelinesecrets.lifecycle.service.TopicLayout;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.http.ConfluentRegistryServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

/**
 * Runs everything on this machine: a real single-node Kafka broker with a persistent data directory, a schema
 * registry speaking the Confluent REST API, the topics, the service with the shared-filesystem backend under the
 * data directory, and admin HTTP. Stops cleanly on Ctrl-C or SIGTERM; started again, it reuses the data.
 *
 * <p>{@code /runs} needs a bearer token in dev as everywhere: a fresh random one per start, printed with a ready
 * curl line (admin HTTP listens on the loopback interface only), unless {@code PIPELINE_SECRETS_ADMIN_TOKEN} or
 * {@code PIPELINE_SECRETS_ADMIN_TOKEN_FILE} names one, which is then used and never printed.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = {
                "Run the whole service on this machine: an embedded single-node KRaft Kafka broker, a schema",
                "registry on localhost:8081, the filesystem backend under --data-dir/secrets and admin HTTP on",
                "localhost:8080 (/health, /runs/RUN_ID, /metrics). Data is reused on the next start. Ctrl-C stops it.",
                "/runs needs the bearer token printed at start (a new one each time), or the one given by",
                "PIPELINE_SECRETS_ADMIN_TOKEN or PIPELINE_SECRETS_ADMIN_TOKEN_FILE.",
                "With --demo: publish sample secrets, launch and complete one run, print its audit trail, exit.",
                "--backend aws or google adds that backend (an emulator or the test double, never the cloud) and",
                "launches the demo run on an AWS Batch or a Google Batch compute environment."})
final class DevCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the broker, the run state and the secrets store live (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.pipeline-secrets/dev")
    Path dataDirectory;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Broker port on localhost (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "9093",
            description = "KRaft controller port on localhost (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Schema registry port on localhost (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Admin HTTP port on localhost (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--broker-only", description = "Start only the Kafka broker.")
    boolean brokerOnly;

    @Option(names = "--demo", description = "Run the demo lifecycle, print its audit trail and exit.")
    boolean demo;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "filesystem",
            description = "Backend of the demo run, and of aws-batch or google-batch runs: filesystem, aws or google"
                    + " (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--aws-endpoint", paramLabel = "URL", defaultValue = "http://127.0.0.1:4566",
            description = "With --backend aws: a Secrets Manager endpoint, e.g. the test double's main class"
                    + " (io.pipelinesecrets.testing.aws.SecretsManagerDoubleMain) or LocalStack (default: ${DEFAULT-VALUE}).")
    URI awsEndpoint;

    @Option(names = "--google-endpoint", paramLabel = "URL", defaultValue = "http://127.0.0.1:8085",
            description = "With --backend google: a plain-text Secret Manager endpoint, http://HOST:PORT, e.g. the test"
                    + " double's main class (io.pipelinesecrets.testing.gcp.SecretManagerDoubleMain) (default: ${DEFAULT-VALUE}).")
    URI googleEndpoint;

    @Option(names = "--google-project", paramLabel = "PROJECT", defaultValue = "pipeline-secrets-dev",
            description = "With --backend google: the project google-batch runs write their secrets to"
                    + " (default: ${DEFAULT-VALUE}).")
    String googleProject;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final String DEV_REGION = "us-east-1";
    private static final String INSTANCE_ID = "secrets-lifecycle-dev";
    /** What {@code google.projects} accepts: 6-30 lower-case letters, digits and hyphens, starting with a letter. */
    private static final Pattern GOOGLE_PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    /** {@code google.max-secret-lifetime}'s default: Secret Manager deletes a dev secret by then in any case. */
    private static final Duration GOOGLE_SECRET_LIFETIME = Duration.ofDays(3);
    /** One broker: no replication; three partitions, so that dev exercises more than one task. */
    private static final TopicSizing DEV_TOPICS = new TopicSizing(3, (short) 1);

    /** Emulators accept any credentials; dev never reaches real AWS, so it never uses the machine's own. */
    private static final CredentialsFactory DEV_CREDENTIALS = new CredentialsFactory() {
        private final AwsCredentialsProvider dev = StaticCredentialsProvider.create(AwsBasicCredentials.create("dev", "dev"));

        @Override
        public AwsCredentialsProvider base() {
            return dev;
        }

        @Override
        public AwsCredentialsProvider forRole(String region, String roleArn) {
            return dev;
        }
    };

    /**
     * The admin token of this dev session and how a curl line presents it: the token itself when dev made it,
     * the variable or file that holds it when the user gave one (so that it is never printed).
     */
    private record SessionToken(AdminToken token, String banner, String inCurl) {

        static SessionToken of(Map<String, String> environment) {
            String fileVariable = ConfigLoader.environmentName(AdminTokenLoader.TOKEN_FILE);
            String tokenVariable = ConfigLoader.environmentName(AdminTokenLoader.TOKEN);
            String file = environment.getOrDefault(fileVariable, "").trim();
            String token = environment.getOrDefault(tokenVariable, "").trim();
            List<String> problems = new ArrayList<>();
            Optional<AdminToken> configured = AdminTokenLoader.load(file, token, problems);
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            if (configured.isEmpty()) {
                AdminToken fresh = AdminToken.random();
                return new SessionToken(fresh, fresh.reveal() + " (new at every start; /runs needs it)", fresh.reveal());
            }
            return file.isEmpty()
                    ? new SessionToken(configured.get(), "from " + tokenVariable + " (/runs needs it)", "$" + tokenVariable)
                    : new SessionToken(configured.get(), "from " + fileVariable + "=" + file + " (/runs needs it)",
                            "$(cat \"" + file + "\")");
        }

        /** The banner and the curl line may hold the token: a record's own toString would print them. */
        @Override
        public String toString() {
            return "SessionToken" + AdminToken.REDACTED;
        }
    }

    /** Why the Google endpoint does not answer as Secret Manager (a gRPC status), or null when it does. */
    private String googleProblem;

    /** Started parts, closed in reverse order on shutdown. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    @Override
    public Integer call() throws Exception {
        checkBackendOptions();
        PrintWriter out = spec.commandLine().getOut();
        SessionToken adminToken = SessionToken.of(System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping ...");
            out.flush();
            stopAll(out);
            out.println("Stopped cleanly. Data kept in " + dataDirectory.toAbsolutePath());
            out.flush();
            stopped.countDown();
        }, "dev-shutdown"));

        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDirectory, kafkaPort, controllerPort);
        started.push(broker);
        out.println("Kafka broker ready: bootstrap.servers=" + broker.bootstrapServers());
        out.println("  cluster id " + broker.clusterId() + ", data in " + broker.dataDirectory().toAbsolutePath()
                + (broker.reusedData() ? " (reused)" : " (new)"));
        if (!brokerOnly) {
            startService(broker, adminToken, out);
        }
        out.flush();
        if (demo && googleProblem != null) {
            out.println("Demo FAILED: no Secret Manager answers at " + googleEndpoint + " (" + googleProblem + ")");
            out.flush();
            System.exit(1);
        }
        if (demo) {
            int exit;
            try {
                exit = DevDemo.run(out, broker.bootstrapServers(), "http://localhost:" + registryPort,
                        ServiceTopics.DEFAULTS, secretsRoot(), adminPort, adminToken.token(), demoPlatform());
            } catch (IllegalStateException e) {
                out.println("Demo FAILED: " + e.getMessage());
                exit = 1;
            }
            System.exit(exit);
        }
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }

    private void startService(EmbeddedKafkaBroker broker, SessionToken adminToken, PrintWriter out) throws IOException {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        ConfluentRegistryServer registryServer = new ConfluentRegistryServer(registry,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), registryPort)).start();
        started.push(registryServer);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicCheck.createMissing(admin, new TopicLayout(ServiceTopics.DEFAULTS, DEV_TOPICS));
        }
        Path secretsRoot = secretsRoot();
        if (!Files.exists(secretsRoot)) {
            Files.createDirectories(secretsRoot, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        ServiceConfig config = new ServiceConfig("secrets-lifecycle-dev", INSTANCE_ID,
                broker.bootstrapServers(), Map.of(), registryServer.url(), Map.of(), true, ServiceTopics.DEFAULTS,
                dataDirectory.resolve("state"), Optional.of(new FilesystemBackendConfig(List.of(secretsRoot), secretsRoot, INSTANCE_ID)),
                useAws() ? Optional.of(new AwsBackendConfig(INSTANCE_ID, AwsEnvironmentSettings.DEFAULTS,
                        Map.of(), Set.of(DEV_REGION), Set.of(), null, AwsBackendConfig.DEFAULT_CALLS_PER_SECOND,
                        awsEndpoint, Duration.ofSeconds(30))) : Optional.empty(),
                useGoogle() ? Optional.of(googleConfig()) : Optional.empty(),
                LifecyclePolicy.DEFAULTS, Duration.ofMillis(50), "127.0.0.1", adminPort,
                AdminAccess.withToken(adminToken.token()), DEV_TOPICS,
                ReconcileSettings.OFF);
        ServiceRuntime runtime = useAws()
                ? ServiceRuntime.start(config, registry, DEV_CREDENTIALS)
                : ServiceRuntime.start(config, registry);
        started.push(runtime);
        runtime.awaitReady(Duration.ofSeconds(60));
        out.println("Schema registry: " + registryServer.url() + " (Confluent REST API)");
        out.println("Secrets store:   " + secretsRoot + "/<runId>/store.json  (NXF_SECRETS_FILE for a head job)");
        if (useAws()) {
            out.println("AWS backend:     Secrets Manager at " + awsEndpoint + " for aws-batch runs in " + DEV_REGION);
        }
        if (useGoogle()) {
            out.println("Google backend:  Secret Manager at " + googleEndpoint + " for google-batch runs, project "
                    + googleProject + " (projects/" + googleProject + "/secrets/tower-<runId>-<NAME>)");
            try (SecretManagerProbe probe = new SecretManagerProbe(googleEndpoint)) {
                googleProblem = probe.problem(googleProject).orElse(null);
            }
            if (googleProblem != null) {
                out.println("                 but it does not answer (" + googleProblem + "): start the double first,"
                        + " io.pipelinesecrets.testing.gcp.SecretManagerDoubleMain --port " + googleEndpoint.getPort()
                        + "; google-batch runs retry until it answers");
            }
        }
        String admin = "http://localhost:" + runtime.adminPort();
        out.println("Admin HTTP:      " + admin + "/health, /runs/<runId>, /metrics");
        out.println("Admin token:     " + adminToken.banner());
        out.println("                 curl -H \"Authorization: Bearer " + adminToken.inCurl() + "\" " + admin + "/runs/<runId>");
        out.println("Topics:          " + String.join(", ", ServiceTopics.DEFAULTS.all()));
        out.println("Service ready.");
    }

    /** Usage errors (exit 2) before anything starts. */
    private void checkBackendOptions() {
        if (!List.of("filesystem", "aws", "google").contains(backend)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--backend must be filesystem, aws or google, not " + backend);
        }
        if (useGoogle()) {
            // Plain text without credentials: dev never reaches real Google, so it never uses the machine's own.
            if (!"http".equals(googleEndpoint.getScheme()) || googleEndpoint.getHost() == null
                    || googleEndpoint.getPort() < 0 || !(googleEndpoint.getRawPath() == null
                    || googleEndpoint.getRawPath().isEmpty() || googleEndpoint.getRawPath().equals("/"))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--google-endpoint must be a plain-text"
                        + " endpoint http://HOST:PORT (the Secret Manager double or an emulator), not " + googleEndpoint);
            }
            if (!GOOGLE_PROJECT.matcher(googleProject).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--google-project must be a project id"
                        + " (6-30 lower-case letters, digits and hyphens, starting with a letter), not " + googleProject);
            }
        }
    }

    private boolean useAws() {
        return backend.equals("aws");
    }

    private boolean useGoogle() {
        return backend.equals("google");
    }

    private DevDemo.Platform demoPlatform() {
        return useAws() ? new DevDemo.Platform.AwsBatch(DEV_REGION)
                : useGoogle() ? new DevDemo.Platform.GoogleBatch(googleEndpoint)
                : new DevDemo.Platform.Slurm();
    }

    /**
     * Every google-batch run's secrets in {@code --google-project}, global, with the service's own identity (no
     * service account to impersonate), no lease: {@code google.projects=<project>}, {@code google.project=<project>}
     * and {@code google.endpoint=<url>} with every other {@code google.*} key at its default.
     */
    private GoogleBackendConfig googleConfig() {
        GoogleEnvironmentSettings everyComputeEnv = new GoogleEnvironmentSettings(
                new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), false, googleProject, null, null);
        return new GoogleBackendConfig(INSTANCE_ID, everyComputeEnv, Map.of(), Set.of(googleProject), Set.of(), Set.of(),
                false, GoogleBackendConfig.DEFAULT_CALLS_PER_MINUTE, GoogleBackendConfig.DEFAULT_CALLS_PER_MINUTE,
                GOOGLE_SECRET_LIFETIME, LeasePolicy.NONE, googleEndpoint, Duration.ofSeconds(30), null);
    }

    private Path secretsRoot() {
        return dataDirectory.resolve("secrets").toAbsolutePath();
    }

    private void stopAll(PrintWriter out) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                out.println("  (a component did not stop cleanly: " + e.getClass().getSimpleName() + ")");
            }
        }
    }
}
