package io.pipelinesecrets.lifecycle.dev;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.ComputeEnv;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.events.WorkflowStatus;
import io.pipelinesecrets.lifecycle.admin.AdminToken;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code dev --demo} walk-through, as a platform would drive the service: publish workspace and user secrets
 * through the schema registry's REST API, launch a run, watch it provisioned (a user secret overriding a
 * workspace one), complete it, watch it released, and print its audit trail. Talks to the service only through
 * Kafka, the registry and admin HTTP — the same way any producer would — and looks into the backend only to show
 * where the secrets are and that they are gone: the filesystem store, or Google Secret Manager ({@code GetSecret},
 * never a value).
 */
public final class DevDemo {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String WORKSPACE = "demo-workspace";
    private static final String USER = "demo-user";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private DevDemo() {
    }

    /** The compute environment the demo run is launched on, and so the backend its secrets go to. */
    public sealed interface Platform {

        /** A Slurm compute environment: the filesystem backend, under the secrets root. */
        record Slurm() implements Platform {
        }

        /** An AWS Batch compute environment in {@code region}: AWS Secrets Manager. */
        record AwsBatch(String region) implements Platform {
        }

        /**
         * A Google Batch compute environment: Google Secret Manager, in the project the service's configuration
         * gives it; {@code endpoint} is the plain-text Secret Manager the demo checks the secrets in.
         */
        record GoogleBatch(URI endpoint) implements Platform {
        }
    }

    /**
     * @param adminToken what {@code GET /runs} presents as its bearer token
     * @param platform   where the run is launched
     * @return the process exit code: 0 when the run was provisioned and nothing is left after its release
     */
    public static int run(PrintWriter out, String bootstrapServers, String registryUrl, ServiceTopics topics,
                          Path secretsRoot, int adminPort, AdminToken adminToken, Platform platform) throws Exception {
        boolean aws = platform instanceof Platform.AwsBatch;
        boolean google = platform instanceof Platform.GoogleBatch;
        boolean cloud = aws || google;
        EventSerdes serdes = EventSerdes.create(SchemaRegistries.open(registryUrl), true);
        String runId = "demo-" + Instant.now().toEpochMilli();
        URI googleEndpoint = google ? ((Platform.GoogleBatch) platform).endpoint() : null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
             AuditReader audit = new AuditReader(bootstrapServers, topics.audit(), serdes);
             SecretManagerProbe probe = google ? new SecretManagerProbe(googleEndpoint) : null) {
            out.println();
            out.println("== Demo run " + runId + " ==");
            out.println("1. Publishing secrets to " + topics.secrets() + " (values are never printed):");
            List<SecretRecord> secrets = List.of(
                    secret(SecretScope.WORKSPACE, WORKSPACE, "DB_PASSWORD", "demo-db-password"),
                    secret(SecretScope.WORKSPACE, WORKSPACE, "API_TOKEN", "workspace-api-token"),
                    secret(SecretScope.USER, USER, "API_TOKEN", "users-own-api-token"));
            for (SecretRecord secret : secrets) {
                String key = new SecretKey(secret.getScope(), secret.getOwnerId(), secret.getName()).toString();
                producer.send(new ProducerRecord<>(topics.secrets(), key,
                        serdes.secrets().serializer().serialize(topics.secrets(), secret))).get(30, TimeUnit.SECONDS);
                out.printf("   %-40s %s%n", key, secret.getScope() == SecretScope.USER ? "(user secret)" : "(workspace secret)");
            }

            out.println("2. Launching " + runId + " on " + (aws ? "an AWS Batch" : google ? "a Google Batch" : "a Slurm")
                    + " compute environment ...");
            WorkflowLaunched launch = WorkflowLaunched.newBuilder().setEventId("launch-" + runId).setRunId(runId)
                    .setWorkspaceId(WORKSPACE).setUserId(USER).setLaunchedAt(now())
                    .setComputeEnv(computeEnv(platform, secretsRoot))
                    .setSecretSelection(null).setSecretsWatermark(null).build();
            producer.send(new ProducerRecord<>(topics.launched(), runId,
                    serdes.launched().serializer().serialize(topics.launched(), launch))).get(30, TimeUnit.SECONDS);
            List<AuditEvent> trail = audit.await(runId, events -> has(events, AuditAction.SECRETS_PROVISIONED)
                    || has(events, AuditAction.PROVISION_FAILED));
            Path store = secretsRoot.resolve(runId).resolve("store.json");
            if (!cloud) {
                out.println("   provisioned: " + store + " (exists: " + Files.exists(store) + ")");
            }
            List<String> created = new ArrayList<>();
            boolean missing = false;
            for (AuditEvent event : trail) {
                if (event.getAction() == AuditAction.SECRET_CREATED) {
                    String where = "";
                    if (google) {
                        boolean exists = event.getBackendRef() != null && probe.exists(event.getBackendRef());
                        missing |= !exists;
                        if (exists && !created.contains(event.getBackendRef())) {
                            created.add(event.getBackendRef());
                        }
                        where = exists ? " (in Secret Manager)" : " (NOT in Secret Manager)";
                    }
                    out.printf("   %-12s from the %s scope%s%n", event.getSecretName(), event.getSecretScope(),
                            cloud ? " -> " + event.getBackendRef() + where : "");
                }
            }
            if (!cloud) {
                out.println("   a head job reads it with: export NXF_SECRETS_FILE=" + store);
            }
            if (google) {
                out.println("   a Google Batch job reads each one as <name above>/versions/latest");
            }
            out.println("   GET /runs/" + runId + " -> phase " + phaseOf(adminPort, adminToken, runId));

            out.println("3. Completing " + runId + " ...");
            WorkflowCompleted completion = WorkflowCompleted.newBuilder().setEventId("complete-" + runId).setRunId(runId)
                    .setWorkspaceId(WORKSPACE).setStatus(WorkflowStatus.SUCCEEDED).setCompletedAt(now()).build();
            producer.send(new ProducerRecord<>(topics.completed(), runId,
                    serdes.completed().serializer().serialize(topics.completed(), completion))).get(30, TimeUnit.SECONDS);
            trail = audit.await(runId, events -> has(events, AuditAction.SECRETS_RELEASED));
            boolean leftOver;
            if (google) {
                leftOver = false;
                for (String name : created) {
                    boolean exists = probe.exists(name);
                    leftOver |= exists;
                    out.println("   released: " + name + (exists ? " STILL EXISTS" : " is gone") + " (Secret Manager at "
                            + googleEndpoint + ")");
                }
                if (created.isEmpty()) {
                    out.println("   released: nothing was created in Secret Manager");
                }
            } else {
                leftOver = !aws && Files.exists(store.getParent());
                out.println("   released: " + (aws ? "secrets deleted (see the audit trail)"
                        : store.getParent() + (leftOver ? " STILL EXISTS" : " is gone")));
            }

            out.println("4. Audit trail of " + runId + " (" + topics.audit() + "):");
            out.printf("   %-12s  %-20s %-8s %-12s %-9s %s%n", "time", "action", "outcome", "secret", "scope", "detail");
            for (AuditEvent event : trail) {
                String detail = event.getSecretCount() != null ? event.getSecretCount() + " secret(s) " + event.getSecretNames()
                        : event.getErrorCode() != null ? event.getErrorCode() : nullToEmpty(event.getBackendRef());
                out.printf("   %-12s  %-20s %-8s %-12s %-9s %s%n", TIME.format(event.getOccurredAt()), event.getAction(),
                        event.getOutcome(), nullToEmpty(event.getSecretName()),
                        event.getSecretScope() == null ? "" : event.getSecretScope(), detail);
            }
            boolean provisioned = has(trail, AuditAction.SECRETS_PROVISIONED) && !missing;
            out.println(provisioned && !leftOver ? "Demo complete: provisioned, released, nothing left behind."
                    : "Demo FAILED: see the audit trail above.");
            out.flush();
            return provisioned && !leftOver ? 0 : 1;
        }
    }

    private static ComputeEnv computeEnv(Platform platform, Path secretsRoot) {
        ComputeEnv.Builder env = ComputeEnv.newBuilder().setRegion(null).setAccountRoleArn(null).setSecretsPath(null);
        if (platform instanceof Platform.AwsBatch aws) {
            return env.setId("demo-aws").setPlatform("aws-batch").setRegion(aws.region()).build();
        }
        if (platform instanceof Platform.GoogleBatch) {
            // The project comes from the service's configuration (google.project), never from the event.
            return env.setId("demo-google").setPlatform("google-batch").build();
        }
        return env.setId("demo-slurm").setPlatform("slurm").setSecretsPath(secretsRoot.toString()).build();
    }

    private static String phaseOf(int adminPort, AdminToken adminToken, String runId) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + adminPort + "/runs/" + runId))
                    .header("Authorization", "Bearer " + adminToken.reveal()).build(), HttpResponse.BodyHandlers.ofString());
            int at = response.body().indexOf("\"phase\"");
            return at < 0 ? "unknown (HTTP " + response.statusCode() + ")"
                    : response.body().substring(at).split("\"")[3];
        } catch (Exception e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static SecretRecord secret(SecretScope scope, String owner, String name, String value) {
        return SecretRecord.newBuilder().setScope(scope).setOwnerId(owner).setName(name).setValue(value)
                .setVersion(1).setUpdatedAt(now()).setUpdatedBy("demo").build();
    }

    private static boolean has(List<AuditEvent> events, AuditAction action) {
        return events.stream().anyMatch(e -> e.getAction() == action);
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The audit topic from the beginning, committed records only, without a consumer group. */
    private static final class AuditReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final EventSerdes serdes;
        private final String topic;
        private final List<AuditEvent> events = new ArrayList<>();

        AuditReader(String bootstrapServers, String topic, EventSerdes serdes) {
            this.topic = topic;
            this.serdes = serdes;
            this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        List<AuditEvent> await(String runId, Predicate<List<AuditEvent>> done) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(record -> {
                    AuditEvent event = serdes.audit().deserializer().deserialize(topic, record.value());
                    if (runId.equals(event.getRunId())) {
                        events.add(event);
                    }
                });
                if (done.test(events)) {
                    return List.copyOf(events);
                }
            }
            throw new IllegalStateException("the service did not report on " + runId + " within " + WAIT
                    + "; audit so far: " + events.stream().map(AuditEvent::getAction).toList());
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
