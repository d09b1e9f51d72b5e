package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.events.PartitionOffset;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretsWatermark;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.run.EntryStatus;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.serde.EventSerdes;
import io.pipelinesecrets.serde.UndecodableRecordException;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.time.HandClock;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The lifecycle topology on {@link TopologyTestDriver}: real serdes over an in-memory schema registry, a backend
 * double that answers at once (or never), a clock the test moves, and wall-clock punctuation advanced by hand.
 * Backend results reach the run only through the punctuation hand-off, so every test advances the wall clock
 * before it expects an outcome.
 */
class LifecycleTopologyTest {

    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;
    private static final Duration PUNCTUATION = Duration.ofMillis(100);
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String CANARY = "canary-3f9a-secret-value";
    private static final String WS = Events.WORKSPACE;
    private static final String USER = Events.USER;

    @TempDir
    Path stateDir;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final EventSerdes serdes = EventSerdes.create(registry, true);
    private final HandClock clock = new HandClock(T0);
    private final FakeBackend backend = new FakeBackend();

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> launched;
    private TestInputTopic<String, byte[]> completed;
    private TestInputTopic<String, byte[]> secrets;
    private TestOutputTopic<String, AuditEvent> audit;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Nested
    class Lifecycle {

        private KeyValueStore<String, RunState> runs;

        @BeforeEach
        void startLifecycleTopology() {
            LifecyclePolicy policy = new LifecyclePolicy(Duration.ofHours(24), 5, Duration.ofSeconds(1),
                    Duration.ofSeconds(30), new LeasePolicy(null, java.util.Map.of("ce-leased", Duration.ofHours(1))));
            Topology topology = LifecycleTopology.build(settings(policy), registry,
                    new BackendDispatcher(List.of(backend)));
            start(topology);
            runs = driver.getKeyValueStore(LifecycleTopology.RUN_STATE_STORE);
            publishSecret(Events.workspaceSecret(WS, "DB_PASSWORD", CANARY).build());
            publishSecret(Events.workspaceSecret(WS, "API_TOKEN", "workspace-token").build());
            publishSecret(Events.userSecret(USER, "API_TOKEN", "user-token").build());
            publishSecret(Events.userSecret("someone-else", "OTHER", "not-for-this-run").build());
        }

        @Test
        void shouldProvisionTheMergedSetWithTheUserSecretWinningAndAuditEachSecretAndASummary() {
            launch("run-1");

            assertThat(backend.provisions).singleElement().satisfies(call -> {
                assertThat(call.runId()).isEqualTo("run-1");
                assertThat(call.values()).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "API_TOKEN", "user-token", "DB_PASSWORD", CANARY));
            });
            assertThat(audit.isEmpty()).as("results apply only on punctuation").isTrue();

            punctuate();

            List<KeyValue<String, AuditEvent>> events = audit.readKeyValuesToList();
            assertThat(events).extracting(e -> e.key).containsOnly("run-1");
            assertThat(events).extracting(e -> e.value.getAction(), e -> e.value.getSecretName())
                    .containsExactlyInAnyOrder(
                            tuple(AuditAction.SECRET_CREATED, "API_TOKEN"),
                            tuple(AuditAction.SECRET_CREATED, "DB_PASSWORD"),
                            tuple(AuditAction.SECRETS_PROVISIONED, null));
            assertThat(events.get(events.size() - 1).value).satisfies(summary -> {
                assertThat(summary.getAction()).isEqualTo(AuditAction.SECRETS_PROVISIONED);
                assertThat(summary.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
                assertThat(summary.getSecretCount()).isEqualTo(2);
                assertThat(summary.getSecretNames()).containsExactlyInAnyOrder("API_TOKEN", "DB_PASSWORD");
                assertThat(summary.getBackend()).isEqualTo("filesystem");
                assertThat(summary.getWorkspaceId()).isEqualTo(WS);
                assertThat(summary.getUserId()).isEqualTo(USER);
                assertThat(summary.getCausationEventId()).isEqualTo("launched-run-1");
            });
            assertThat(events).filteredOn(e -> e.value.getAction() == AuditAction.SECRET_CREATED)
                    .allSatisfy(e -> {
                        assertThat(e.value.getBackendRef()).isEqualTo(FakeBackend.ref("run-1"));
                        assertThat(e.value.getAttempt()).isEqualTo(1);
                    })
                    .anySatisfy(e -> assertThat(e.value.getSecretScope()).isEqualTo(SecretScope.USER));
            assertThat(events).allSatisfy(e -> assertThat(e.value.toString()).doesNotContain(CANARY));
            assertThat(runs.get("run-1").phase()).isEqualTo(Phase.ACTIVE);
            assertThat(deadLetters.isEmpty()).isTrue();
        }

        @Test
        void shouldReleaseEverythingInTheManifestOnCompletionAndAuditTheRelease() {
            launch("run-1");
            punctuate();
            audit.readValuesToList();

            complete("run-1");

            assertThat(backend.releases).singleElement().satisfies(call -> {
                assertThat(call.runId()).isEqualTo("run-1");
                assertThat(call.secrets()).extracting(StoredSecret::name, StoredSecret::backendRef)
                        .containsExactlyInAnyOrder(
                                tuple("API_TOKEN", FakeBackend.ref("run-1")),
                                tuple("DB_PASSWORD", FakeBackend.ref("run-1")));
            });

            punctuate();

            List<AuditEvent> events = audit.readValuesToList();
            assertThat(events).extracting(AuditEvent::getAction).containsExactlyInAnyOrder(
                    AuditAction.SECRET_DELETED, AuditAction.SECRET_DELETED, AuditAction.SECRETS_RELEASED);
            assertThat(events).filteredOn(e -> e.getAction() == AuditAction.SECRETS_RELEASED).singleElement()
                    .satisfies(summary -> {
                        assertThat(summary.getSecretCount()).isEqualTo(2);
                        assertThat(summary.getCausationEventId()).isEqualTo("completed-run-1");
                    });
            assertThat(runs.get("run-1").phase()).isEqualTo(Phase.RELEASED);
            assertThat(runs.get("run-1").manifest()).extracting(ManifestEntry::status)
                    .containsOnly(EntryStatus.DELETED);
        }

        @Test
        void shouldReleaseARunWhoseLeaseExpiresWithoutACompletion() {
            launched.pipeInput("run-leased", encode(Events.launched("run-leased").setLaunchedAt(clock.instant())
                    .setComputeEnv(io.pipelinesecrets.events.ComputeEnv.newBuilder().setId("ce-leased").setPlatform("slurm")
                            .setRegion(null).setAccountRoleArn(null).setSecretsPath("/shared/secrets").build()).build()));
            launch("run-unleased");
            punctuate();
            audit.readValuesToList();

            clock.advance(Duration.ofMinutes(61));
            punctuate();
            punctuate();

            assertThat(audit.readValuesToList()).extracting(AuditEvent::getAction).containsExactlyInAnyOrder(
                    AuditAction.LEASE_EXPIRED, AuditAction.SECRET_DELETED, AuditAction.SECRET_DELETED,
                    AuditAction.SECRETS_RELEASED);
            assertThat(runs.get("run-leased").phase()).isEqualTo(Phase.RELEASED);
            assertThat(runs.get("run-unleased").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldForgetAReleasedRunOnlyAfterTheRetention() {
            launch("run-old");
            punctuate();
            complete("run-old");
            punctuate();
            launch("run-active");
            punctuate();

            clock.advance(LifecyclePolicy.DEFAULT_RELEASED_RUN_RETENTION.minusHours(2));
            driver.advanceWallClockTime(Duration.ofHours(1));
            assertThat(runs.get("run-old")).as("released, but within the retention").isNotNull();

            clock.advance(Duration.ofHours(3));
            driver.advanceWallClockTime(Duration.ofHours(1));
            assertThat(runs.get("run-old")).as("released longer ago than the retention").isNull();
            assertThat(runs.get("run-active").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldKeepThePhaseOfEveryStepInTheRunStateStore() {
            launch("run-1");
            RunState provisioning = runs.get("run-1");
            punctuate();
            RunState active = runs.get("run-1");
            complete("run-1");
            RunState releasing = runs.get("run-1");
            punctuate();
            RunState released = runs.get("run-1");

            assertThat(provisioning.phase()).isEqualTo(Phase.PROVISIONING);
            assertThat(provisioning.progress().inFlight()).isTrue();
            assertThat(provisioning.manifest()).extracting(ManifestEntry::status).containsOnly(EntryStatus.PENDING);
            assertThat(active.phase()).isEqualTo(Phase.ACTIVE);
            assertThat(active.progress().inFlight()).isFalse();
            assertThat(active.manifest()).extracting(ManifestEntry::status).containsOnly(EntryStatus.CREATED);
            assertThat(releasing.phase()).isEqualTo(Phase.RELEASING);
            assertThat(releasing.progress().inFlight()).isTrue();
            assertThat(releasing.ending().completionEventId()).isEqualTo("completed-run-1");
            assertThat(released.phase()).isEqualTo(Phase.RELEASED);
            assertThat(released.progress().inFlight()).isFalse();
        }

        @Test
        void shouldRetryARetryableFailureOnlyOnceTheBackoffHasElapsedOnTheClockAndAPunctuationRuns() {
            backend.script("run-1", Answer.FAIL_RETRYABLE, Answer.CREATE);
            launch("run-1");
            punctuate();

            assertThat(audit.readValuesToList()).singleElement().satisfies(retry -> {
                assertThat(retry.getAction()).isEqualTo(AuditAction.PROVISION_RETRY_SCHEDULED);
                assertThat(retry.getErrorCode()).isEqualTo("THROTTLED");
                assertThat(retry.getAttempt()).isEqualTo(1);
            });
            RunState waiting = runs.get("run-1");
            assertThat(waiting.phase()).isEqualTo(Phase.PROVISIONING);
            assertThat(waiting.progress().inFlight()).isFalse();
            assertThat(waiting.progress().nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(1));

            driver.advanceWallClockTime(Duration.ofSeconds(5));
            assertThat(backend.provisions).as("the wall clock alone does not make the retry due").hasSize(1);

            clock.advance(Duration.ofSeconds(1));
            assertThat(backend.provisions).as("the clock alone does not run a punctuation").hasSize(1);

            driver.advanceWallClockTime(PUNCTUATION);
            assertThat(backend.provisions).as("due and punctuated: the second attempt").hasSize(2);
            assertThat(runs.get("run-1").progress().attempt()).isEqualTo(2);

            punctuate();

            List<AuditEvent> events = audit.readValuesToList();
            assertThat(events).extracting(AuditEvent::getAction).containsExactlyInAnyOrder(
                    AuditAction.SECRET_CREATED, AuditAction.SECRET_CREATED, AuditAction.SECRETS_PROVISIONED);
            assertThat(events).allSatisfy(e -> assertThat(e.getAttempt()).isEqualTo(2));
            assertThat(runs.get("run-1").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldRollBackWhatWasCreatedWhenTheBackendRefusesASecretPermanently() {
            backend.script("run-1", Answer.REFUSE_DB_PASSWORD);
            launch("run-1");

            // The provisioning result and then the rollback's (answered at once) are applied in one drain.
            punctuate();

            assertThat(audit.readValuesToList())
                    .extracting(AuditEvent::getAction, AuditEvent::getSecretName, AuditEvent::getErrorCode,
                            AuditEvent::getReason)
                    .containsExactly(
                            tuple(AuditAction.SECRET_CREATED, "API_TOKEN", null, null),
                            tuple(AuditAction.PROVISION_FAILED, "DB_PASSWORD", "ACCESS_DENIED", null),
                            tuple(AuditAction.SECRET_DELETED, "API_TOKEN", null, "ROLLBACK"));
            assertThat(backend.releases).singleElement().satisfies(call -> assertThat(call.secrets())
                    .extracting(StoredSecret::name).as("a refused secret is never deleted").containsExactly("API_TOKEN"));
            RunState failed = runs.get("run-1");
            assertThat(failed.phase()).isEqualTo(Phase.FAILED);
            assertThat(failed.lastError().code()).isEqualTo("ACCESS_DENIED");
            assertThat(failed.manifest()).extracting(ManifestEntry::name, ManifestEntry::status)
                    .containsExactlyInAnyOrder(
                            tuple("API_TOKEN", EntryStatus.DELETED),
                            tuple("DB_PASSWORD", EntryStatus.REFUSED));
        }

        @Test
        void shouldDeadLetterGarbageOnTheLaunchedTopicAndAuditItWhileTheNextLaunchStillProvisions() {
            byte[] garbage = "this is not avro".getBytes(StandardCharsets.UTF_8);
            Headers original = new RecordHeaders().add("trace-id", "t-42".getBytes(StandardCharsets.UTF_8));
            launched.pipeInput(new TestRecord<>("run-bad", garbage, original, T0));

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("run-bad");
            assertThat(dead.value()).isEqualTo(garbage);
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("UNKNOWN_MAGIC_BYTE");
            assertThat(header(dead, DeadLetters.ERROR_CLASS)).isEqualTo(UndecodableRecordException.class.getName());
            assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).contains(TOPICS.launched(), "partition 0", "offset 0");
            assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPICS.launched());
            assertThat(header(dead, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
            assertThat(header(dead, "trace-id")).as("original headers travel along").isEqualTo("t-42");

            KeyValue<String, AuditEvent> rejected = audit.readKeyValue();
            assertThat(rejected.key).isEqualTo("run-bad");
            assertThat(rejected.value.getAction()).isEqualTo(AuditAction.EVENT_REJECTED);
            assertThat(rejected.value.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
            assertThat(rejected.value.getRunId()).isEqualTo("run-bad");
            assertThat(rejected.value.getErrorCode()).isEqualTo("UNKNOWN_MAGIC_BYTE");
            assertThat(rejected.value.getReason()).isEqualTo(TOPICS.launched());
            assertThat(rejected.value.getCausationEventId()).isEqualTo(TOPICS.launched() + "-0@0");
            assertThat(runs.get("run-bad")).isNull();

            launch("run-2");
            punctuate();

            assertThat(audit.readValuesToList()).extracting(AuditEvent::getAction)
                    .contains(AuditAction.SECRETS_PROVISIONED);
            assertThat(runs.get("run-2").phase()).isEqualTo(Phase.ACTIVE);
            assertThat(deadLetters.isEmpty()).isTrue();
        }

        @Test
        void shouldDeadLetterAWorkflowEventWithoutAValue() {
            completed.pipeInput("run-1", null);

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(dead.value()).isNull();
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("EMPTY_VALUE");
            assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPICS.completed());
            assertThat(audit.readValue().getAction()).isEqualTo(AuditAction.EVENT_REJECTED);
            assertThat(runs.get("run-1")).isNull();
        }

        @Test
        void shouldRejectALaunchWhoseKeyIsNotItsRunId() {
            launched.pipeInput("run-other", encode(Events.launched("run-1").setLaunchedAt(T0).build()));

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("run-other");
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("KEY_MISMATCH");
            assertThat(header(dead, DeadLetters.ERROR_CLASS)).isEqualTo("InvalidEvent");
            assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).contains("run-other", "run-1");
            assertThat(audit.readValuesToList()).singleElement().satisfies(rejected -> {
                assertThat(rejected.getAction()).isEqualTo(AuditAction.EVENT_REJECTED);
                assertThat(rejected.getErrorCode()).isEqualTo("KEY_MISMATCH");
                assertThat(rejected.getCausationEventId()).isEqualTo("launched-run-1");
            });
            assertThat(runs.get("run-1")).isNull();
            assertThat(runs.get("run-other")).isNull();
            assertThat(backend.provisions).isEmpty();
        }

        @Test
        void shouldKeepProvisioningOtherRunsWhileOneRunsBackendCallNeverCompletes() {
            backend.script("run-slow", Answer.NEVER);
            launch("run-slow");
            launch("run-fast");
            complete("run-slow");
            punctuate();

            assertThat(audit.readValuesToList()).extracting(AuditEvent::getRunId, AuditEvent::getAction)
                    .containsExactlyInAnyOrder(
                            tuple("run-fast", AuditAction.SECRET_CREATED),
                            tuple("run-fast", AuditAction.SECRET_CREATED),
                            tuple("run-fast", AuditAction.SECRETS_PROVISIONED));
            assertThat(runs.get("run-fast").phase()).isEqualTo(Phase.ACTIVE);
            RunState slow = runs.get("run-slow");
            assertThat(slow.phase()).isEqualTo(Phase.PROVISIONING);
            assertThat(slow.progress().inFlight()).isTrue();
            assertThat(slow.ending().completionEventId()).as("the completion waits in the state").isEqualTo("completed-run-slow");
            assertThat(backend.releases).as("nothing is released while the provisioning is in flight").isEmpty();

            // The late answer arrives on a thread of the backend's own; the stream thread applies it, and the
            // waiting completion then releases at once (the release answers immediately, in the same drain).
            backend.answerPendingFrom("run-slow", Answer.CREATE);
            punctuate();

            assertThat(audit.readValuesToList()).extracting(AuditEvent::getRunId, AuditEvent::getAction)
                    .containsExactlyInAnyOrder(
                            tuple("run-slow", AuditAction.SECRET_CREATED),
                            tuple("run-slow", AuditAction.SECRET_CREATED),
                            tuple("run-slow", AuditAction.SECRETS_PROVISIONED),
                            tuple("run-slow", AuditAction.SECRET_DELETED),
                            tuple("run-slow", AuditAction.SECRET_DELETED),
                            tuple("run-slow", AuditAction.SECRETS_RELEASED));
            assertThat(backend.releases).extracting(Call::runId).containsExactly("run-slow");
            assertThat(runs.get("run-slow").phase()).isEqualTo(Phase.RELEASED);
            assertThat(runs.get("run-fast").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldSkipADuplicateLaunchWithoutCallingTheBackendAgain() {
            launch("run-1");
            punctuate();
            audit.readValuesToList();

            launch("run-1");

            assertThat(audit.readValuesToList()).singleElement().satisfies(skipped -> {
                assertThat(skipped.getAction()).isEqualTo(AuditAction.LAUNCH_SKIPPED);
                assertThat(skipped.getReason()).isEqualTo("DUPLICATE");
            });
            assertThat(backend.provisions).hasSize(1);
            assertThat(runs.get("run-1").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldNotProvisionALaunchOlderThanTheStaleAge() {
            launched.pipeInput("run-old", encode(Events.launched("run-old")
                    .setLaunchedAt(clock.instant().minus(Duration.ofHours(25))).build()));

            assertThat(audit.readValuesToList()).singleElement().satisfies(skipped -> {
                assertThat(skipped.getAction()).isEqualTo(AuditAction.LAUNCH_SKIPPED);
                assertThat(skipped.getReason()).isEqualTo("STALE");
            });
            assertThat(runs.get("run-old")).isNull();
            assertThat(backend.provisions).isEmpty();
        }

        @Test
        void shouldRecordACompletionWithoutLaunchAsReleasedAndSkipTheLateLaunch() {
            complete("run-1");
            launch("run-1");
            punctuate();

            assertThat(audit.readValuesToList()).extracting(AuditEvent::getAction, AuditEvent::getReason)
                    .containsExactly(
                            tuple(AuditAction.COMPLETION_WITHOUT_LAUNCH, null),
                            tuple(AuditAction.LAUNCH_SKIPPED, "ALREADY_COMPLETED"));
            assertThat(runs.get("run-1").phase()).isEqualTo(Phase.RELEASED);
            assertThat(backend.provisions).isEmpty();
        }

        @Test
        void shouldWaitForTheSecretsWatermarkAndResolveWithTheSecretItWasLaunchedAfter() {
            // Setup wrote offsets 0-3; the platform writes offsets 4 and 5, then launches naming offset 5.
            launchedAfter("run-rw", 5L);
            punctuate();
            assertThat(backend.provisions).as("offset 5 is not applied yet").isEmpty();
            assertThat(runs.get("run-rw").phase()).isEqualTo(Phase.AWAITING_SECRETS);

            publishSecret(Events.workspaceSecret(WS, "UNRELATED", "x").build());
            punctuate();
            assertThat(backend.provisions).isEmpty();

            publishSecret(Events.userSecret(USER, "NEW_TOKEN", "written-just-before-launch").build());
            punctuate();
            punctuate();

            assertThat(backend.provisions).singleElement().satisfies(call -> assertThat(call.values())
                    .containsEntry("NEW_TOKEN", "written-just-before-launch"));
            assertThat(runs.get("run-rw").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldFailTheProvisioningWhenTheWatermarkIsNotReachedWithinTheWait() {
            launchedAfter("run-rw", 40L);

            for (int i = 0; i < 301; i++) {
                punctuate();
            }

            assertThat(audit.readValuesToList()).filteredOn(e -> e.getAction() == AuditAction.PROVISION_FAILED)
                    .singleElement().satisfies(failed -> {
                        assertThat(failed.getErrorCode()).isEqualTo("SECRETS_NOT_VISIBLE");
                        assertThat(failed.getErrorMessage()).contains("{0=40}");
                    });
            assertThat(runs.get("run-rw").phase()).isEqualTo(Phase.FAILED);
            assertThat(backend.provisions).isEmpty();
        }

        @Test
        void shouldRejectAWatermarkWithANegativeOffset() {
            launchedAfter("run-rw", -1L);

            assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(dead ->
                    assertThat(header(dead, "dlq.error.code")).isEqualTo("INVALID_WATERMARK"));
            assertThat(runs.get("run-rw")).isNull();
        }

        private void launchedAfter(String runId, long offset) {
            launched.pipeInput(runId, encode(Events.launched(runId).setLaunchedAt(clock.instant())
                    .setSecretsWatermark(SecretsWatermark.newBuilder().setOffsets(List.of(
                            PartitionOffset.newBuilder().setPartition(0).setOffset(offset).build()))
                            .build())
                    .build()));
        }

        @Test
        void shouldNeverHandARunASecretRecordThatDisagreesWithItsKey() {
            secrets.pipeInput("workspace:" + WS + ":EXTRA", encode(Events.workspaceSecret(WS, "OTHER", "x").build()));
            secrets.pipeInput("workspace:" + WS + ":BROKEN", new byte[] {0, 0, 0, 0x7f, 0x7f, 1});

            launch("run-1");

            assertThat(backend.provisions).singleElement().satisfies(call -> assertThat(call.values())
                    .containsOnlyKeys("API_TOKEN", "DB_PASSWORD"));
        }
    }

    @Nested
    class SecretValidation {

        @BeforeEach
        void startValidationTopology() {
            start(LifecycleTopology.buildSecretValidation(settings(LifecyclePolicy.DEFAULTS), registry));
        }

        @Test
        void shouldDeadLetterAndAuditARecordWithAMalformedKey() {
            byte[] value = encode(Events.workspaceSecret(WS, "API_TOKEN", CANARY).build());
            secrets.pipeInput("not-a-secret-key", value);

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("not-a-secret-key");
            assertThat(dead.value()).isEqualTo(value);
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("MALFORMED_KEY");
            assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPICS.secrets());
            assertThat(audit.readValuesToList()).singleElement().satisfies(rejected -> {
                assertThat(rejected.getAction()).isEqualTo(AuditAction.SECRET_RECORD_REJECTED);
                assertThat(rejected.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
                assertThat(rejected.getErrorCode()).isEqualTo("MALFORMED_KEY");
                assertThat(rejected.getCausationEventId()).isEqualTo(TOPICS.secrets() + "-0@0");
                assertThat(rejected.toString()).doesNotContain(CANARY);
            });
        }

        @Test
        void shouldDeadLetterAndAuditARecordWhoseNameDisagreesWithItsKey() {
            secrets.pipeInput("workspace:" + WS + ":API_TOKEN",
                    encode(Events.workspaceSecret(WS, "DB_PASSWORD", CANARY).build()));

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("INVALID_SECRET_RECORD");
            assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).contains("DB_PASSWORD", "API_TOKEN").doesNotContain(CANARY);
            assertThat(audit.readValuesToList()).singleElement().satisfies(rejected -> {
                assertThat(rejected.getAction()).isEqualTo(AuditAction.SECRET_RECORD_REJECTED);
                assertThat(rejected.getErrorCode()).isEqualTo("INVALID_SECRET_RECORD");
                assertThat(rejected.getSecretName()).isEqualTo("API_TOKEN");
                assertThat(rejected.getSecretScope()).isEqualTo(SecretScope.WORKSPACE);
                assertThat(rejected.getWorkspaceId()).isEqualTo(WS);
                assertThat(rejected.getUserId()).isNull();
                assertThat(rejected.toString()).doesNotContain(CANARY);
            });
        }

        @Test
        void shouldDeadLetterAndAuditGarbageBytesUnderAValidKey() {
            byte[] garbage = {0, 0, 0, 0x7f, 0x7f, 1, 2, 3};
            secrets.pipeInput("user:" + USER + ":API_TOKEN", garbage);

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(dead.value()).isEqualTo(garbage);
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("UNKNOWN_SCHEMA_ID");
            assertThat(header(dead, DeadLetters.ERROR_CLASS)).isEqualTo(UndecodableRecordException.class.getName());
            assertThat(audit.readValuesToList()).singleElement().satisfies(rejected -> {
                assertThat(rejected.getAction()).isEqualTo(AuditAction.SECRET_RECORD_REJECTED);
                assertThat(rejected.getErrorCode()).isEqualTo("UNKNOWN_SCHEMA_ID");
                assertThat(rejected.getUserId()).isEqualTo(USER);
                assertThat(rejected.getSecretScope()).isEqualTo(SecretScope.USER);
            });
        }

        @Test
        void shouldProduceNothingForAValidRecordOrATombstone() {
            secrets.pipeInput("workspace:" + WS + ":API_TOKEN", encode(Events.workspaceSecret(WS, "API_TOKEN", CANARY).build()));
            secrets.pipeInput("user:" + USER + ":API_TOKEN", encode(Events.userSecret(USER, "API_TOKEN", CANARY).build()));
            secrets.pipeInput("workspace:" + WS + ":API_TOKEN", null);
            secrets.pipeInput("malformed", null);

            assertThat(deadLetters.isEmpty()).isTrue();
            assertThat(audit.isEmpty()).isTrue();
        }
    }

    /**
     * What a hostile producer or a stalled backend can do to the topology (the hardening issue's cases): every bad
     * record is a dead letter with a code and an audit event, and the next good run still provisions.
     */
    @Nested
    class HostileInput {

        private static final Duration DEADLINE = Duration.ofSeconds(30);
        private static final int RECORD_LIMIT = 20_000;

        private KeyValueStore<String, RunState> runs;

        @BeforeEach
        void startLifecycleTopology() {
            LifecyclePolicy policy = new LifecyclePolicy(Duration.ofHours(24), 5, Duration.ofSeconds(1),
                    Duration.ofSeconds(30)).withCallDeadline(DEADLINE).withMaxSecretsPerRun(3);
            start(LifecycleTopology.build(settings(policy).withMaxRecordBytes(RECORD_LIMIT), registry,
                    new BackendDispatcher(List.of(backend))));
            runs = driver.getKeyValueStore(LifecycleTopology.RUN_STATE_STORE);
            publishSecret(Events.workspaceSecret(WS, "DB_PASSWORD", CANARY).build());
            publishSecret(Events.userSecret(USER, "API_TOKEN", "user-token").build());
        }

        @Test
        void shouldDeadLetterATenByteRecordClaimingATwoBillionByteStringAndProvisionTheNextRun() {
            int launchedSchema = registry.register(TOPICS.launched() + "-value",
                    io.pipelinesecrets.contracts.EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
            byte[] tenBytes = io.pipelinesecrets.testing.events.WireFrames.claiming(launchedSchema, 2_000_000_000L);
            launched.pipeInput("run-bomb", tenBytes);

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(dead.value()).isEqualTo(tenBytes);
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("LENGTH_EXCEEDS_RECORD");
            assertThat(audit.readValue().getErrorCode()).isEqualTo("LENGTH_EXCEEDS_RECORD");

            launch("run-good");
            punctuate();

            assertThat(runs.get("run-good").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldNeverHandARunTheTenByteRecordOnTheSecretsTopic() {
            int secretSchema = registry.register(TOPICS.secrets() + "-value",
                    io.pipelinesecrets.contracts.EventSchemas.registryForm(SecretRecord.getClassSchema())).id();
            // scope WORKSPACE (enum index 0), then an ownerId claiming 2,000,000,000 bytes
            secrets.pipeInput("workspace:" + WS + ":BOMB",
                    io.pipelinesecrets.testing.events.WireFrames.claiming(secretSchema, 2_000_000_000L, (byte) 0));

            launch("run-good");
            punctuate();

            assertThat(backend.provisions).singleElement().satisfies(call ->
                    assertThat(call.values()).containsOnlyKeys("API_TOKEN", "DB_PASSWORD"));
            assertThat(runs.get("run-good").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldGiveUpOnACallThatNeverAnswersAtItsDeadlineAndReleaseTheCompletedRun() {
            backend.script("run-hung", Answer.NEVER, Answer.CREATE);
            launch("run-hung");
            complete("run-hung");
            punctuate();
            assertThat(runs.get("run-hung").progress().inFlight()).isTrue();

            clock.advance(DEADLINE);
            punctuate();
            punctuate();

            assertThat(backend.provisionFences.get(0).isWithdrawn()).as("the hung call is withdrawn").isTrue();
            assertThat(backend.releases).extracting(Call::runId).containsExactly("run-hung");
            assertThat(audit.readValuesToList()).extracting(AuditEvent::getAction).endsWith(AuditAction.SECRETS_RELEASED);
            assertThat(runs.get("run-hung").phase()).isEqualTo(Phase.RELEASED);

            // The hung call answers after all: its attempt is over, so nothing changes.
            backend.answerPendingFrom("run-hung", Answer.CREATE);
            punctuate();
            assertThat(audit.readValuesToList()).isEmpty();
            assertThat(runs.get("run-hung").phase()).isEqualTo(Phase.RELEASED);
        }

        @Test
        void shouldRetryAProvisioningWhoseCallMissedItsDeadline() {
            backend.script("run-hung", Answer.NEVER, Answer.CREATE);
            launch("run-hung");
            clock.advance(DEADLINE);
            punctuate();

            assertThat(audit.readValuesToList()).singleElement().satisfies(retry -> {
                assertThat(retry.getAction()).isEqualTo(AuditAction.PROVISION_RETRY_SCHEDULED);
                assertThat(retry.getErrorCode()).isEqualTo(LifecycleProcessor.DEADLINE_EXCEEDED);
            });
            clock.advance(Duration.ofSeconds(1));
            punctuate();
            punctuate();

            assertThat(backend.provisions).hasSize(2);
            assertThat(runs.get("run-hung").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldWithdrawEveryOutstandingCallWhenTheTaskCloses() {
            backend.script("run-hung", Answer.NEVER);
            launch("run-hung");

            driver.close();
            driver = null;

            assertThat(backend.provisionFences).singleElement()
                    .satisfies(fence -> assertThat(fence.isWithdrawn()).isTrue());
        }

        @Test
        void shouldRejectALaunchDatedFurtherAheadThanTheClockSkew() {
            launched.pipeInput("run-future", encode(Events.launched("run-future")
                    .setLaunchedAt(clock.instant().plus(Duration.ofDays(365))).build()));
            launched.pipeInput("run-skewed", encode(Events.launched("run-skewed")
                    .setLaunchedAt(clock.instant().plus(Duration.ofMinutes(4))).build()));
            punctuate();

            assertThat(header(deadLetters.readRecord(), DeadLetters.ERROR_CODE)).isEqualTo("LAUNCHED_IN_FUTURE");
            assertThat(deadLetters.isEmpty()).isTrue();
            assertThat(runs.get("run-future")).isNull();
            assertThat(runs.get("run-skewed").phase()).as("within the allowed skew").isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldRejectALaunchWhoseOwnerIdsNoSecretCouldBeStoredUnder() {
            for (String userId : List.of("u:1", "user 1", "u\n1", "u".repeat(129), "")) {
                launched.pipeInput("run-bad-owner", encode(Events.launched("run-bad-owner").setUserId(userId)
                        .setLaunchedAt(clock.instant()).build()));
            }
            launched.pipeInput("run-bad-ws", encode(Events.launched("run-bad-ws").setWorkspaceId("ws:1")
                    .setLaunchedAt(clock.instant()).build()));

            assertThat(deadLetters.readRecordsToList()).extracting(dead -> header(dead, DeadLetters.ERROR_CODE))
                    .containsExactly("INVALID_OWNER_ID", "INVALID_OWNER_ID", "INVALID_OWNER_ID", "INVALID_OWNER_ID",
                            "MISSING_FIELD", "INVALID_OWNER_ID");
            assertThat(runs.get("run-bad-owner")).isNull();
            assertThat(backend.provisions).isEmpty();
        }

        @Test
        void shouldKeepADeadLetterOfAHugeRecordUnderTheTopicLimitAndSayWhatWasCut() {
            byte[] hugeKey = ("k".repeat(30_000)).getBytes(StandardCharsets.UTF_8);
            byte[] hugeValue = new byte[50_000];
            Headers hugeHeaders = new RecordHeaders().add("trace", new byte[30_000]);
            launched.pipeInput(new TestRecord<>(new String(hugeKey, StandardCharsets.UTF_8), hugeValue, hugeHeaders, T0));

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            int size = (dead.key() == null ? 0 : dead.key().length) + (dead.value() == null ? 0 : dead.value().length)
                    + java.util.Arrays.stream(dead.headers().toArray()).mapToInt(h -> h.key().length() + h.value().length).sum();
            assertThat(size).isLessThan(RECORD_LIMIT);
            assertThat(dead.value()).isNull();
            assertThat(dead.key()).isNull();
            assertThat(header(dead, DeadLetters.VALUE_OMITTED)).isEqualTo("50000");
            assertThat(header(dead, DeadLetters.KEY_OMITTED)).isEqualTo("30000");
            assertThat(header(dead, DeadLetters.HEADERS_OMITTED)).isEqualTo("1");
            assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
            AuditEvent rejected = audit.readValue();
            assertThat(rejected.getRunId()).as("a key that is no run id is not a run id").isNull();
            assertThat(rejected.toString().length()).isLessThan(RECORD_LIMIT);
        }

        @Test
        void shouldKeepTheErrorMessageOfAHugeMismatchedKeyBounded() {
            String hugeKey = "k".repeat(10_000);
            launched.pipeInput(hugeKey, encode(Events.launched("run-1").setLaunchedAt(clock.instant()).build()));

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("KEY_MISMATCH");
            assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).hasSizeLessThan(400).contains("(10000 chars)");
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(hugeKey);
        }

        @Test
        void shouldDeadLetterACompletionFromAnotherWorkspaceAndKeepTheRunsSecrets() {
            launch("run-1");
            punctuate();
            audit.readValuesToList();

            completed.pipeInput("run-1", encode(Events.completed("run-1").setWorkspaceId("ws-other").build()));
            punctuate();

            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo("WORKSPACE_MISMATCH");
            assertThat(audit.readValuesToList()).singleElement().satisfies(rejected -> {
                assertThat(rejected.getAction()).isEqualTo(AuditAction.EVENT_REJECTED);
                assertThat(rejected.getRunId()).isEqualTo("run-1");
            });
            assertThat(backend.releases).isEmpty();
            assertThat(runs.get("run-1").phase()).isEqualTo(Phase.ACTIVE);
        }

        @Test
        void shouldFailARunWhoseSetExceedsTheCapInsteadOfBuildingIt() {
            publishSecret(Events.workspaceSecret(WS, "THIRD", "3").build());
            publishSecret(Events.workspaceSecret(WS, "FOURTH", "4").build());
            launch("run-big");
            punctuate();

            assertThat(audit.readValuesToList()).filteredOn(e -> e.getAction() == AuditAction.PROVISION_FAILED)
                    .singleElement().satisfies(failed -> assertThat(failed.getErrorCode()).isEqualTo("TOO_MANY_SECRETS"));
            assertThat(backend.provisions).isEmpty();
        }
    }

    // ---- driver and topics

    private LifecycleTopology.Settings settings(LifecyclePolicy policy) {
        return new LifecycleTopology.Settings(TOPICS, policy, PlatformRouting.defaults(Set.of(PlatformRouting.FILESYSTEM)),
                PUNCTUATION, true, clock);
    }

    private void start(Topology topology) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "lifecycle-topology-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, config, T0);
        StringSerializer keys = new StringSerializer();
        ByteArraySerializer bytes = new ByteArraySerializer();
        launched = driver.createInputTopic(TOPICS.launched(), keys, bytes);
        completed = driver.createInputTopic(TOPICS.completed(), keys, bytes);
        secrets = driver.createInputTopic(TOPICS.secrets(), keys, bytes);
        audit = driver.createOutputTopic(TOPICS.audit(), new StringDeserializer(), serdes.audit().deserializer());
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** One wall-clock punctuation, with the service clock moving along. */
    private void punctuate() {
        clock.advance(PUNCTUATION);
        driver.advanceWallClockTime(PUNCTUATION);
    }

    private void launch(String runId) {
        launched.pipeInput(runId, encode(Events.launched(runId).setLaunchedAt(clock.instant()).build()));
    }

    private void complete(String runId) {
        completed.pipeInput(runId, encode(Events.completed(runId).setCompletedAt(clock.instant()).build()));
    }

    private void publishSecret(SecretRecord record) {
        secrets.pipeInput(new SecretKey(record.getScope(), record.getOwnerId(), record.getName()).toString(), encode(record));
    }

    private byte[] encode(WorkflowLaunched event) {
        return serdes.launched().serializer().serialize(TOPICS.launched(), event);
    }

    private byte[] encode(WorkflowCompleted event) {
        return serdes.completed().serializer().serialize(TOPICS.completed(), event);
    }

    private byte[] encode(SecretRecord record) {
        return serdes.secrets().serializer().serialize(TOPICS.secrets(), record);
    }

    private static String header(TestRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    // ---- test doubles


    enum Answer {
        CREATE,
        FAIL_RETRYABLE,
        REFUSE_DB_PASSWORD,
        NEVER
    }

    /** One backend call as the backend saw it; values revealed for the test's eyes only. */
    record Call(String runId, Map<String, String> values, List<StoredSecret> secrets) {
    }

    /**
     * A "filesystem" backend whose answers are scripted per run (default: create / delete at once). {@code NEVER}
     * leaves the provisioning future incomplete until the test answers it.
     */
    static final class FakeBackend implements SecretsBackend {

        final List<Call> provisions = new ArrayList<>();
        final List<Call> releases = new ArrayList<>();
        /** The fence of every provisioning call, in call order. */
        final List<CallFence> provisionFences = new ArrayList<>();
        private final Map<String, Deque<Answer>> scripts = new HashMap<>();
        private final Map<String, PendingCall> pending = new HashMap<>();

        private record PendingCall(List<Secret> secrets, CompletableFuture<List<SecretOutcome>> future) {
        }

        static String ref(String runId) {
            return "/shared/secrets/" + runId + "/store.json";
        }

        void script(String runId, Answer... answers) {
            scripts.put(runId, new ArrayDeque<>(List.of(answers)));
        }

        @Override
        public String name() {
            return PlatformRouting.FILESYSTEM;
        }

        @Override
        public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets, CallFence fence) {
            Map<String, String> values = new LinkedHashMap<>();
            secrets.forEach(s -> values.put(s.name(), s.value().reveal()));
            provisions.add(new Call(run.runId(), values, List.of()));
            provisionFences.add(fence);
            Deque<Answer> script = scripts.get(run.runId());
            Answer answer = script == null || script.isEmpty() ? Answer.CREATE : script.poll();
            if (answer == Answer.NEVER) {
                CompletableFuture<List<SecretOutcome>> future = new CompletableFuture<>();
                pending.put(run.runId(), new PendingCall(secrets, future));
                return future;
            }
            return CompletableFuture.completedFuture(outcomes(run.runId(), secrets, answer));
        }

        @Override
        public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence) {
            releases.add(new Call(run.runId(), Map.of(), List.copyOf(secrets)));
            return CompletableFuture.completedFuture(secrets.stream()
                    .map(s -> (SecretOutcome) new SecretOutcome.Deleted(s.name(), s.backendRef())).toList());
        }

        /** Completes a pending call from a thread of its own, as a real backend's executor would. */
        void answerPendingFrom(String runId, Answer answer) {
            PendingCall call = pending.remove(runId);
            assertThat(call).as("a pending call of %s", runId).isNotNull();
            Thread completer = new Thread(() -> call.future().complete(outcomes(runId, call.secrets(), answer)),
                    "fake-backend-completer");
            completer.start();
            try {
                completer.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while answering " + runId, e);
            }
            assertThat(call.future()).isDone();
        }

        private static List<SecretOutcome> outcomes(String runId, List<Secret> secrets, Answer answer) {
            Function<Secret, SecretOutcome> outcome = switch (answer) {
                case CREATE, NEVER -> s -> new SecretOutcome.Created(s.name(), ref(runId));
                case FAIL_RETRYABLE -> s -> new SecretOutcome.Failed(s.name(), BackendError.retryable("THROTTLED", "slow down"));
                case REFUSE_DB_PASSWORD -> s -> s.name().equals("DB_PASSWORD")
                        ? new SecretOutcome.Failed(s.name(), BackendError.permanent("ACCESS_DENIED", "not allowed"))
                        : new SecretOutcome.Created(s.name(), ref(runId));
            };
            return secrets.stream().map(outcome).toList();
        }
    }
}
