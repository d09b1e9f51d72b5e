package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.resolution.InMemorySecretSource;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.lifecycle.run.EntryStatus;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.run.RunInput.Operation;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunStateMachine;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The run state as it rests in the state store and its changelog: every phase the real state machine produces
 * survives a round trip unchanged, and the JSON carries names and references, never a value.
 */
class RunStateSerdeTest {

    private static final String CANARY = "canary-7e1f-never-in-json";
    private static final String TOPIC = "secrets-lifecycle-run-state-changelog";
    private static final String RUN = "run-1";
    private static final String STORE_REF = "/shared/secrets/run-1/store.json";
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00.123456789Z");

    private static final InMemorySecretSource SOURCE = new InMemorySecretSource()
            .workspace("ws-1", "DB_PASSWORD", CANARY)
            .workspace("ws-1", "API_TOKEN", "workspace-" + CANARY)
            .user("alice", "API_TOKEN", "user-" + CANARY);
    private static final RunStateMachine MACHINE = new RunStateMachine(
            new LifecyclePolicy(Duration.ofHours(24), 4, Duration.ofSeconds(1), Duration.ofSeconds(30)),
            platform -> platform.equals("slurm") ? Optional.of("filesystem") : Optional.empty(), SOURCE);

    private final RunStateSerde serde = new RunStateSerde();

    static Stream<Arguments> states() {
        return Stream.of(
                Arguments.of("PROVISIONING with a selection, in flight", (Supplier<RunState>) RunStateSerdeTest::provisioning),
                Arguments.of("PROVISIONING waiting for a retry", (Supplier<RunState>) RunStateSerdeTest::retrying),
                Arguments.of("ACTIVE", (Supplier<RunState>) RunStateSerdeTest::active),
                Arguments.of("RELEASING", (Supplier<RunState>) RunStateSerdeTest::releasing),
                Arguments.of("ROLLING_BACK", (Supplier<RunState>) RunStateSerdeTest::rollingBack),
                Arguments.of("FAILED", (Supplier<RunState>) RunStateSerdeTest::failed),
                Arguments.of("RELEASED", (Supplier<RunState>) RunStateSerdeTest::released),
                Arguments.of("RELEASED by a completion without launch",
                        (Supplier<RunState>) RunStateSerdeTest::completedWithoutLaunch));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("states")
    void shouldRoundTripEveryPhaseTheStateMachineProducesUnchanged(String name, Supplier<RunState> state) {
        RunState original = state.get();

        byte[] bytes = serde.serializer().serialize(TOPIC, original);
        RunState read = serde.deserializer().deserialize(TOPIC, bytes);

        assertThat(read).isEqualTo(original);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain(CANARY);
    }

    @Test
    void shouldProduceTheExpectedPhasesFromTheStateMachine() {
        // Guards the fixtures: each state above really is the phase its name says.
        assertThat(provisioning().phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(provisioning().origin().selection()).isEqualTo(new Selection(List.of("DB_PASSWORD"), List.of("API_TOKEN")));
        assertThat(provisioning().progress().inFlight()).isTrue();
        assertThat(retrying().progress().nextAttemptAt()).isNotNull();
        assertThat(retrying().progress().inFlight()).isFalse();
        assertThat(active().phase()).isEqualTo(Phase.ACTIVE);
        assertThat(releasing().phase()).isEqualTo(Phase.RELEASING);
        assertThat(rollingBack().phase()).isEqualTo(Phase.ROLLING_BACK);
        assertThat(failed().phase()).isEqualTo(Phase.FAILED);
        assertThat(failed().manifest()).extracting(ManifestEntry::status)
                .containsExactlyInAnyOrder(EntryStatus.REFUSED, EntryStatus.DELETED);
        assertThat(released().phase()).isEqualTo(Phase.RELEASED);
        assertThat(completedWithoutLaunch().phase()).isEqualTo(Phase.RELEASED);
        assertThat(completedWithoutLaunch().origin().target()).isNull();
        assertThat(completedWithoutLaunch().origin().launchEventId()).isNull();
    }

    @Test
    void shouldIgnorePropertiesItDoesNotKnow() {
        RunState original = active();
        String json = new String(serde.serializer().serialize(TOPIC, original), StandardCharsets.UTF_8);
        String newer = "{\"addedByANewerVersion\":{\"nested\":[1,2,3]},\"schemaGeneration\":7,"
                + json.substring(1, json.length() - 1)
                + ",\"manifestDigest\":\"abc\"}";

        RunState read = serde.deserializer().deserialize(TOPIC, newer.getBytes(StandardCharsets.UTF_8));

        assertThat(read).isEqualTo(original);
    }

    @Test
    void shouldRenderNamesAndReferencesAsJsonButNeverAValue() {
        String json = RunStateSerde.toJson(active());

        assertThat(json).contains("\"runId\" : \"run-1\"", "\"phase\" : \"ACTIVE\"", "API_TOKEN", "DB_PASSWORD",
                STORE_REF, "\"launchedAt\" : \"2026-11-26T10:00:00.123456789Z\"");
        assertThat(json).doesNotContain(CANARY);
    }

    @Test
    void shouldKeepTheFailureCodeAndMessageOfAFailedRunWithoutAValue() {
        String json = RunStateSerde.toJson(failed());

        assertThat(json).contains("\"phase\" : \"FAILED\"", "ACCESS_DENIED", "REFUSED", "PROVISION_FAILED");
        assertThat(json).doesNotContain(CANARY);
    }

    @Test
    void shouldMapNullToNullBothWays() {
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void shouldRaiseASerializationExceptionNamingTheTopicForBytesThatAreNotARunState() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(TOPIC)
                .hasMessageNotContaining("not json");
    }

    // ---- states, each produced by the real state machine

    private static RunState provisioning() {
        RunInput.Launch launch = new RunInput.Launch("launch-1", RUN, T0, target(),
                new Selection(List.of("DB_PASSWORD"), List.of("API_TOKEN")));
        return MACHINE.apply(null, launch, T0).state();
    }

    private static RunState retrying() {
        RunState provisioning = provisioning();
        return MACHINE.apply(provisioning, new RunInput.BackendDone(RUN, Operation.PROVISION, 1, List.of(
                new SecretOutcome.Failed("API_TOKEN", BackendError.retryable("THROTTLED", "slow down")),
                new SecretOutcome.Failed("DB_PASSWORD", BackendError.retryable("THROTTLED", "slow down"))), 5),
                T0.plusMillis(40)).state();
    }

    private static RunState active() {
        return MACHINE.apply(provisioning(), new RunInput.BackendDone(RUN, Operation.PROVISION, 1, List.of(
                new SecretOutcome.Created("API_TOKEN", STORE_REF),
                new SecretOutcome.Created("DB_PASSWORD", STORE_REF)), 12), T0.plusMillis(50)).state();
    }

    private static RunState releasing() {
        return MACHINE.apply(active(), new RunInput.Completion("done-1", RUN, "ws-1", "SUCCEEDED", T0.plusSeconds(60)),
                T0.plusSeconds(60)).state();
    }

    private static RunState released() {
        RunState releasing = releasing();
        return MACHINE.apply(releasing, new RunInput.BackendDone(RUN, Operation.RELEASE, releasing.progress().attempt(), List.of(
                new SecretOutcome.Deleted("API_TOKEN", STORE_REF),
                new SecretOutcome.Deleted("DB_PASSWORD", STORE_REF)), 7), T0.plusSeconds(61)).state();
    }

    private static RunState rollingBack() {
        return MACHINE.apply(provisioning(), new RunInput.BackendDone(RUN, Operation.PROVISION, 1, List.of(
                new SecretOutcome.Created("API_TOKEN", STORE_REF),
                new SecretOutcome.Failed("DB_PASSWORD", BackendError.permanent("ACCESS_DENIED", "not allowed"))), 9),
                T0.plusMillis(30)).state();
    }

    private static RunState failed() {
        RunState rollingBack = rollingBack();
        return MACHINE.apply(rollingBack, new RunInput.BackendDone(RUN, Operation.RELEASE, rollingBack.progress().attempt(),
                List.of(new SecretOutcome.Deleted("API_TOKEN", STORE_REF)), 4), T0.plusMillis(60)).state();
    }

    private static RunState completedWithoutLaunch() {
        return MACHINE.apply(null, new RunInput.Completion("done-early", "run-2", "ws-1", "CANCELLED", T0), T0).state();
    }

    private static RunTarget target() {
        return new RunTarget(RUN, "ws-1", "alice", "ce-1", "slurm", null, null, "/shared/secrets");
    }
}
