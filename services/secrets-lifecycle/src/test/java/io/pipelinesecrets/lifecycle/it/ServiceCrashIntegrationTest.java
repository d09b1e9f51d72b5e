package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service, killed with SIGKILL in the middle of provisioning and releasing, restarted on the same
 * state directory each time. Nothing may be lost (every run provisioned, then released), leaked (no run
 * directory left) or duplicated (each audit event exactly once, and no two of one run with the same meaning).
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ServiceCrashIntegrationTest {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceCrashIntegrationTest.class);
    private static final String CANARY = "canary-crash-77aa";
    private static final int RUNS = 150;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void shouldLoseLeakAndDuplicateNothingWhenKilledMidRun(TestKafka kafka, @TempDir Path work) throws Exception {
        PackagedService setup = PackagedService.create(kafka, work);
        ServiceTopics topics = setup.topics;
        EventSerdes serdes = setup.serdes;
        Path secretsRoot = setup.secretsRoot;
        int adminPort = setup.adminPort;
        List<String> output = setup.output;

        try (setup;
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerConfig(),
                     new StringSerializer(), new ByteArraySerializer());
             RecordLog<AuditEvent> audit = new RecordLog<>(kafka.bootstrapServers(), topics.audit(),
                     r -> serdes.audit().deserializer().deserialize(topics.audit(), r.value()))) {
            Path config = setup.writeConfig("crash-test", PackagedService.fastGroupLeaving());
            send(producer, topics.secrets(), "workspace:" + Events.WORKSPACE + ":DB_PASSWORD", serdes.secrets().serializer()
                    .serialize(topics.secrets(), Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", CANARY).build()));
            send(producer, topics.secrets(), "user:" + Events.USER + ":API_TOKEN", serdes.secrets().serializer()
                    .serialize(topics.secrets(), Events.userSecret(Events.USER, "API_TOKEN", CANARY + "-user").build()));

            ServiceProcess service = ServiceProcess.start(config, adminPort, output);
            service.awaitReady(WAIT);
            int kills = 0;
            for (int i = 0; i < RUNS; i++) {
                send(producer, topics.launched(), "run-" + i, serdes.launched().serializer().serialize(topics.launched(),
                        Events.launched("run-" + i).setComputeEnv(Events.slurm(secretsRoot.toString())).build()));
                if (i == RUNS / 3 || i == 2 * RUNS / 3) {
                    service = killAndRestart(service, config, adminPort, output);
                    kills++;
                }
            }
            List<AuditEvent> provisioned = audit.await(RUNS + " runs provisioned", events ->
                    distinctRuns(events, AuditAction.SECRETS_PROVISIONED) == RUNS, WAIT);
            assertEveryActiveRunHoldsExactlyItsSet(secretsRoot);

            for (int i = 0; i < RUNS; i++) {
                send(producer, topics.completed(), "run-" + i,
                        serdes.completed().serializer().serialize(topics.completed(), Events.completed("run-" + i).build()));
                if (i == RUNS / 2) {
                    service = killAndRestart(service, config, adminPort, output);
                    kills++;
                }
            }
            List<AuditEvent> all = audit.await(RUNS + " runs released", events ->
                    distinctRuns(events, AuditAction.SECRETS_RELEASED) == RUNS, WAIT);
            service.close();

            try (Stream<Path> left = Files.list(secretsRoot)) {
                assertThat(left.toList()).as("run directories left behind").isEmpty();
            }
            Set<String> ids = all.stream().map(AuditEvent::getEventId).collect(Collectors.toSet());
            assertThat(all).as("audit events, each exactly once").hasSize(ids.size());
            Map<AuditAction, Long> byAction = all.stream()
                    .collect(Collectors.groupingBy(AuditEvent::getAction, Collectors.counting()));
            assertThat(byAction).containsEntry(AuditAction.SECRETS_PROVISIONED, (long) RUNS)
                    .containsEntry(AuditAction.SECRETS_RELEASED, (long) RUNS)
                    .containsEntry(AuditAction.SECRET_CREATED, 2L * RUNS)
                    .containsEntry(AuditAction.SECRET_DELETED, 2L * RUNS);
            assertThat(output).as("service output").isNotEmpty().noneMatch(line -> line.contains(CANARY));
            long redriven = output.stream().filter(line -> line.contains("found in flight again")).count();
            LOG.info("crash test: {} runs, {} kills, {} audit events ({} before the completions began), "
                    + "{} task start(s) that found runs in flight or waiting: {}", RUNS, kills, all.size(),
                    provisioned.size(), redriven, output.stream().filter(line -> line.contains("found in flight again"))
                            .map(line -> line.substring(line.indexOf("driving"))).toList());
        }
    }

    private static ServiceProcess killAndRestart(ServiceProcess service, Path config, int adminPort, List<String> output) {
        service.kill();
        ServiceProcess restarted = ServiceProcess.start(config, adminPort, output);
        restarted.awaitReady(WAIT);
        return restarted;
    }

    private static void assertEveryActiveRunHoldsExactlyItsSet(Path secretsRoot) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < RUNS; i++) {
            Map<String, String> content = new HashMap<>();
            for (JsonNode entry : json.readTree(secretsRoot.resolve("run-" + i).resolve("store.json").toFile())) {
                content.put(entry.get("name").asText(), entry.get("value").asText());
            }
            assertThat(content).as("store of run-" + i).containsOnlyKeys("API_TOKEN", "DB_PASSWORD")
                    .containsEntry("DB_PASSWORD", CANARY).containsEntry("API_TOKEN", CANARY + "-user");
        }
    }

    private static long distinctRuns(List<AuditEvent> events, AuditAction action) {
        Set<String> runs = new HashSet<>();
        events.stream().filter(e -> e.getAction() == action).forEach(e -> runs.add(e.getRunId()));
        return runs.size();
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
}
