package io.pipelinesecrets.lifecycle.reconcile;

import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OrphanRuleTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Duration GRACE = Duration.ofHours(1);

    @Test
    void shouldDeleteWhatBelongsToNoKnownRunOnceOlderThanTheGracePeriod() {
        OrphanRule.Decision decision = OrphanRule.decide(entry(NOW.minus(GRACE).minusSeconds(1)), null, NOW, GRACE);

        assertThat(decision.verdict()).isEqualTo(OrphanRule.Verdict.DELETE);
        assertThat(decision.reason()).isEqualTo("RUN_UNKNOWN");
    }

    @Test
    void shouldKeepAnythingYoungerThanTheGracePeriodWhateverItsRun() {
        OrphanRule.Decision decision = OrphanRule.decide(entry(NOW.minus(GRACE).plusSeconds(1)), null, NOW, GRACE);

        assertThat(decision.verdict()).isEqualTo(OrphanRule.Verdict.KEEP);
        assertThat(decision.reason()).isEqualTo("TOO_RECENT");
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"AWAITING_SECRETS", "PROVISIONING", "ACTIVE", "RELEASING", "ROLLING_BACK"})
    void shouldKeepWhatARunInProgressHolds(Phase phase) {
        OrphanRule.Decision decision = OrphanRule.decide(entry(NOW.minus(Duration.ofDays(3))), state(phase), NOW, GRACE);

        assertThat(decision.verdict()).isEqualTo(OrphanRule.Verdict.KEEP);
        assertThat(decision.reason()).isEqualTo("RUN_IN_PROGRESS");
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"RELEASED", "FAILED"})
    void shouldDeleteWhatARunThatIsOverStillHolds(Phase phase) {
        OrphanRule.Decision decision = OrphanRule.decide(entry(NOW.minus(Duration.ofDays(3))), state(phase), NOW, GRACE);

        assertThat(decision.verdict()).isEqualTo(OrphanRule.Verdict.DELETE);
        assertThat(decision.reason()).isEqualTo("RUN_" + phase.name());
    }

    private static OwnedEntry entry(Instant createdAt) {
        return new OwnedEntry("filesystem", "run-1", "/secrets/run-1", createdAt,
                RunTarget.located("run-1", null, null, "/secrets"));
    }

    private static RunState state(Phase phase) {
        return new RunState("run-1", phase, new RunOrigin(null, "filesystem", "launch-1", NOW, null), RunEnding.NOT_YET,
                List.of(), new OperationProgress(1, false, null, 0, NOW), null, null, NOW);
    }
}
