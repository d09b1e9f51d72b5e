package io.pipelinesecrets.lifecycle.replay;

import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowStatus;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog.StoredRunState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CompletionReplayTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final RunTarget TARGET = new RunTarget("run-1", "ws-1", "user-1", "ce-1", "slurm", null, null, "/s");

    private static Optional<StoredRunState> stored(Phase phase, String completionEventId) {
        return Optional.of(new StoredRunState(new RunState("run-1", phase,
                new RunOrigin(TARGET, "filesystem", "launched-run-1", T0, null), new RunEnding(completionEventId, null),
                List.of(), new OperationProgress(1, false, null, 0, T0), null, null, T0), 2, 41));
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"ACTIVE", "PROVISIONING", "ROLLING_BACK", "FAILED"})
    void shouldSendACompletionToARunThatHasNone(Phase phase) {
        CompletionReplay.Decision decision = CompletionReplay.decide("run-1", stored(phase, null));

        assertThat(decision).isInstanceOfSatisfying(CompletionReplay.Decision.Send.class,
                send -> assertThat(send.partition()).as("the partition of the task holding the run").isEqualTo(2));
    }

    @Test
    void shouldRefuseAnUnknownRunBecauseACompletionWouldBlockItsLaunch() {
        assertThat(CompletionReplay.decide("run-1", Optional.empty()))
                .isInstanceOfSatisfying(CompletionReplay.Decision.Refuse.class,
                        refuse -> assertThat(refuse.reason()).contains("does not know this run"));
    }

    @Test
    void shouldRefuseAReleasedRun() {
        assertThat(CompletionReplay.decide("run-1", stored(Phase.RELEASED, "completed-run-1")))
                .isInstanceOfSatisfying(CompletionReplay.Decision.Refuse.class,
                        refuse -> assertThat(refuse.reason()).startsWith("already RELEASED"));
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"RELEASING", "PROVISIONING", "ROLLING_BACK"})
    void shouldRefuseARunThatAlreadyHasACompletion(Phase phase) {
        assertThat(CompletionReplay.decide("run-1", stored(phase, "completed-run-1")))
                .isInstanceOfSatisfying(CompletionReplay.Decision.Refuse.class,
                        refuse -> assertThat(refuse.reason()).contains("already has a completion (completed-run-1)")
                                .contains("duplicate"));
    }

    @Test
    void shouldBuildACompletionWithStatusUnknownAndADeterministicId() {
        CompletionReplay.Decision.Send send = (CompletionReplay.Decision.Send) CompletionReplay.decide("run-1",
                stored(Phase.ACTIVE, null));

        WorkflowCompleted completion = CompletionReplay.completionOf(send, T0);

        assertThat(completion.getEventId()).isEqualTo("replay-completion:run-1")
                .isEqualTo(CompletionReplay.completionOf(send, T0.plusSeconds(60)).getEventId());
        assertThat(completion.getRunId()).isEqualTo("run-1");
        assertThat(completion.getWorkspaceId()).isEqualTo("ws-1");
        assertThat(completion.getStatus()).isEqualTo(WorkflowStatus.UNKNOWN);
        assertThat(completion.getCompletedAt()).isEqualTo(T0);
    }
}
