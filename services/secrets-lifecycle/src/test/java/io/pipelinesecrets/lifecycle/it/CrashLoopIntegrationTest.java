package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.aws.DoubleSettings;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash loop of issue 6: while runs flow (launch, then completion after a random delay; some never complete),
 * the packaged service is killed with SIGKILL — no shutdown hook, no commit, no flush, no in-flight backend call
 * finishing — and restarted on the same state directory, again and again; some kills land while it is still
 * starting. Runs go to both backends: the shared filesystem and the AWS Secrets Manager double.
 *
 * <p>A separate JVM is killed rather than a {@code KafkaStreams} left unclosed in this one: an in-JVM "kill" leaves
 * the backends' threads running, so a backend call of the dead instance could still land after its successor
 * acted — a different fault (a zombie), not a crash.
 *
 * <p>Sizes ({@link FaultSize}): smoke-sized in every {@code mvn verify}, 3 kills (one while starting) and at least 120 runs; full size with the {@code faults}
 * profile ({@code -Pfaults}, i.e. {@code -Dfaults.size=full}), 22 kills and at least 2000 runs.
 */
@ExtendWith(KafkaClusterExtension.class)
@Tag("faults")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class CrashLoopIntegrationTest {

    private static final FaultSize SIZE = FaultSize.current();
    private static final int KILLS = SIZE.pick(3, 22);
    private static final int MIN_RUNS = SIZE.pick(120, 2000);
    /** Launches go on until the last kill is done and at least {@link #MIN_RUNS} runs were launched. */
    private static final double RUNS_PER_SECOND = SIZE.pick(8.0, 10.0);
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void shouldLoseLeakAndDuplicateNothingThroughRepeatedKills(TestKafka kafka, @TempDir Path work) throws Exception {
        PackagedService setup = PackagedService.create(kafka, work);
        ServiceTopics topics = setup.topics;
        EventSerdes serdes = setup.serdes;
        Path secretsRoot = setup.secretsRoot;
        int adminPort = setup.adminPort;
        List<String> output = setup.output;
        Random random = new Random(7);
        LoadPlan plan = new LoadPlan(11, "cl", secretsRoot.toString(), List.of(LoadPlan.Platform.SLURM, LoadPlan.Platform.AWS),
                0.8, Duration.ofMillis(200), SIZE.pick(Duration.ofSeconds(3), Duration.ofSeconds(6)));

        try (setup;
             SecretsManagerDouble sm = SecretsManagerDouble.start(DoubleSettings.defaults()
                     .withForceDeleteDelay(Duration.ofMillis(300)));
             EventPublisher publisher = new EventPublisher(kafka, topics, serdes);
             AuditObserver audit = new AuditObserver(kafka.bootstrapServers(), topics.audit(), serdes);
             LoadDriver load = new LoadDriver(plan, publisher, RUNS_PER_SECOND)) {
            List<String> settings = new ArrayList<>(List.of(PackagedService.fastGroupLeaving()));
            settings.addAll(List.of("aws.regions=" + LoadPlan.REGION, "aws.endpoint=" + sm.endpoint(),
                    "aws.calls-per-second=100"));
            Path config = setup.writeConfig("crash-loop", settings.toArray(String[]::new));
            Map<String, String> environment = Map.of("AWS_ACCESS_KEY_ID", "crash-loop", "AWS_SECRET_ACCESS_KEY", "crash-loop",
                    "AWS_REGION", LoadPlan.REGION);
            plan.secretRecords().forEach(publisher::secret);
            publisher.flush();

            List<ServiceProcess> started = new ArrayList<>();
            ServiceProcess service = ServiceProcess.start(config, adminPort, output, environment);
            started.add(service);
            try {
                service.awaitReady(WAIT);
                load.start();
                List<Long> kills = new ArrayList<>();
                List<Boolean> duringStartup = new ArrayList<>();
                int startedAt = 0;
                for (int k = 0; k < KILLS; k++) {
                    // Kills are spread over the load. One in five lands while the restarted service is still starting
                    // (its Streams application restoring and joining the group); the others once it made progress.
                    boolean early = k % 5 == 2;
                    if (early) {
                        awaitOutput(output, startedAt, "secrets-lifecycle started", WAIT);
                        pause(random.nextInt(500));
                    } else {
                        load.awaitLaunched((k + 1) * MIN_RUNS / (KILLS + 1), WAIT);
                        service.awaitReady(WAIT);
                        long since = kills.isEmpty() ? 0 : kills.get(kills.size() - 1);
                        audit.await("progress after the last kill", events -> audit.firstWrittenAfter(since).isPresent(), WAIT);
                        pause(500 + random.nextInt(1500));
                    }
                    service.kill();
                    kills.add(System.currentTimeMillis());
                    duringStartup.add(early);
                    startedAt = output.size();
                    service = ServiceProcess.start(config, adminPort, output, environment);
                    started.add(service);
                }
                service.awaitReady(WAIT);
                load.awaitLaunched(MIN_RUNS, WAIT);
                ServiceProcess last = service;
                List<LoadPlan.Run> runs = FaultSuites.finishAndConverge(load, publisher, audit, new Settled(
                        kafka.bootstrapServers(), setup.applicationId(), List.of(topics.launched(), topics.completed()),
                        last::inFlight), WAIT);
                service.close();

                EndState.Figures figures = EndState.check(plan, runs, load::completionSent, audit.events(), secretsRoot, sm, Set.of());
                List<Long> recovery = recoveryTimes(audit, kills);
                FilesystemWrites writes = FilesystemWrites.of(output);
                System.out.printf("FAULTS crash loop (%s): %d kills (%d while starting), %s; filesystem store writes %d for"
                                + " %d provisionings (%d idempotent rewrites after a kill), writes after a release %d;"
                                + " recovery kill -> next committed audit event: %s ms (median %d, max %d)%n",
                        SIZE, kills.size(), duringStartup.stream().filter(b -> b).count(), figures.summary(), writes.writes(),
                        writes.runsWritten(), writes.writes() - writes.runsWritten(), writes.writesAfterRelease(), recovery,
                        median(recovery), recovery.stream().mapToLong(Long::longValue).max().orElse(-1));

                assertThat(kills).hasSize(KILLS);
                assertThat(runs).hasSizeGreaterThanOrEqualTo(MIN_RUNS);
                assertThat(figures.problems()).as("end-state problems").isEmpty();
                assertThat(figures.leaked() + figures.missing() + figures.duplicated()).isZero();
                assertThat(figures.active()).as("runs still active at the end").isPositive();
                assertThat(writes.writesAfterRelease()).as("store files written again after their run was released").isZero();
                assertThat(recovery).as("progress after every kill").hasSize(KILLS).allMatch(ms -> ms >= 0);
                assertThat(output).as("service output").isNotEmpty().noneMatch(line -> line.contains(LoadPlan.CANARY));
            } finally {
                // Whatever failed, no service process outlives the test (killing a dead one does nothing).
                started.forEach(ServiceProcess::kill);
            }
        }
    }

    /** For each kill: ms until the first audit event the restarted service wrote became visible. */
    private static List<Long> recoveryTimes(AuditObserver audit, List<Long> kills) {
        List<Long> times = new ArrayList<>();
        for (long kill : kills) {
            audit.firstWrittenAfter(kill).ifPresent(first -> times.add(first.observedAt() - kill));
        }
        return times;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
    }

    /**
     * What the service's log says it did to the shared filesystem, per run, across every process: a store written
     * again after the run's release would be a secret resurrected by a replayed call.
     */
    private record FilesystemWrites(int writes, int runsWritten, int writesAfterRelease) {

        static FilesystemWrites of(List<String> output) {
            Map<String, Integer> written = new HashMap<>();
            Map<String, Boolean> released = new HashMap<>();
            int afterRelease = 0;
            synchronized (output) {
                for (String line : output) {
                    String wrote = runAfter(line, "Wrote the secrets store of run ");
                    String gone = runAfter(line, "Released the secrets store of run ");
                    if (wrote != null) {
                        written.merge(wrote, 1, Integer::sum);
                        if (released.getOrDefault(wrote, false)) {
                            afterRelease++;
                        }
                    } else if (gone != null) {
                        released.put(gone, true);
                    }
                }
            }
            return new FilesystemWrites(written.values().stream().mapToInt(Integer::intValue).sum(), written.size(), afterRelease);
        }

        private static String runAfter(String line, String marker) {
            int at = line.indexOf(marker);
            if (at < 0) {
                return null;
            }
            String rest = line.substring(at + marker.length());
            int end = 0;
            while (end < rest.length() && !Character.isWhitespace(rest.charAt(end)) && rest.charAt(end) != ':') {
                end++;
            }
            return rest.substring(0, end);
        }
    }

    private static void awaitOutput(List<String> output, int from, String marker, Duration timeout) {
        Await.atMost(timeout).until("the service to log '" + marker + "'", () -> {
            synchronized (output) {
                return List.copyOf(output.subList(Math.min(from, output.size()), output.size()));
            }
        }, lines -> lines.stream().anyMatch(l -> l.contains(marker)), lines -> lines.size() + " lines since its start, the last: "
                + (lines.isEmpty() ? "none" : lines.get(lines.size() - 1)));
    }

    /** Fault timing only (when the next kill lands), never a wait for something to happen. */
    private static void pause(long millis) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(millis);
    }
}
