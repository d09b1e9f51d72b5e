package io.pipelinesecrets.lifecycle.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class RunCensusTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void shouldCountRunsPerNonFinalPhaseAndIgnoreFinishedOnes() {
        RunCensus census = census(
                run("a", Phase.PROVISIONING, NOW.minusSeconds(5), true, null, 0),
                run("b", Phase.ACTIVE, NOW.minusSeconds(50), false, null, 0),
                run("c", Phase.ACTIVE, NOW.minusSeconds(10), false, null, 0),
                run("d", Phase.RELEASING, NOW.minusSeconds(70), true, null, 0),
                run("e", Phase.RELEASED, NOW.minusSeconds(900), false, null, 0),
                run("f", Phase.FAILED, NOW.minusSeconds(800), false, null, 0));

        assertThat(census.inFlight(Phase.PROVISIONING)).isEqualTo(1);
        assertThat(census.inFlight(Phase.ACTIVE)).isEqualTo(2);
        assertThat(census.inFlight(Phase.RELEASING)).isEqualTo(1);
        assertThat(census.inFlight(Phase.ROLLING_BACK)).isZero();
        assertThat(census.inFlight()).doesNotContainKeys(Phase.RELEASED, Phase.FAILED);
        assertThat(census.oldestActiveAgeSeconds(NOW)).as("run d: released runs and failed ones hold nothing")
                .isEqualTo(70.0);
    }

    @Test
    void shouldCountRunsWaitingForARetryTimerAndReleasesThatFailedAtLeastOnce() {
        RunCensus census = census(
                run("waiting-provision", Phase.PROVISIONING, NOW, false, NOW.plusSeconds(1), 1),
                run("calling-again", Phase.PROVISIONING, NOW, true, null, 2),
                run("waiting-release", Phase.RELEASING, NOW, false, NOW.plusSeconds(4), 3),
                run("waiting-rollback", Phase.ROLLING_BACK, NOW, false, NOW.plusSeconds(4), 1),
                run("releasing-first-try", Phase.RELEASING, NOW, true, null, 0),
                run("active", Phase.ACTIVE, NOW, false, null, 0));

        assertThat(census.retryQueueDepth()).isEqualTo(3);
        assertThat(census.releaseFailuresOutstanding()).isEqualTo(2);
    }

    @Test
    void shouldReportZeroAgeWhenNoRunIsActive() {
        assertThat(RunCensus.EMPTY.oldestActiveAgeSeconds(NOW)).isZero();
        assertThat(RunCensus.EMPTY.inFlight()).containsOnlyKeys(RunCensus.COUNTED_PHASES);
        assertThat(census(run("late", Phase.ACTIVE, NOW.plusSeconds(30), false, null, 0)).oldestActiveAgeSeconds(NOW))
                .as("a launch stamped in the future").isZero();
    }

    @Test
    void shouldTakeOneCensusPerScrapeWindowAndKeepTheLastWhileTheStoresAreNotQueryable() {
        PrometheusMeterRegistry registry = ServiceMetrics.newRegistry();
        MutableClock clock = new MutableClock(NOW);
        RunStateGauges gauges = new RunStateGauges(registry, clock, Duration.ofSeconds(5));
        List<RunState> runs = new ArrayList<>(List.of(run("a", Phase.ACTIVE, NOW.minusSeconds(30), false, null, 0)));
        AtomicInteger passes = new AtomicInteger();
        boolean[] queryable = {true};
        gauges.countRunsOf(visitor -> {
            passes.incrementAndGet();
            if (!queryable[0]) {
                throw new InvalidStateStoreException("rebalancing");
            }
            runs.forEach(visitor);
        });

        PrometheusText first = PrometheusText.parse(registry.scrape());
        assertThat(first.sum("pipeline_secrets_runs_in_flight", "phase", "ACTIVE")).isEqualTo(1.0);
        assertThat(first.sum("pipeline_secrets_oldest_active_run_age_seconds")).isEqualTo(30.0);
        assertThat(passes).as("one pass for all gauges of a scrape").hasValue(1);

        runs.add(run("b", Phase.ACTIVE, NOW, false, null, 0));
        clock.now = NOW.plusSeconds(1);
        assertThat(PrometheusText.parse(registry.scrape()).sum("pipeline_secrets_runs_in_flight", "phase", "ACTIVE"))
                .as("cached within the window").isEqualTo(1.0);

        clock.now = NOW.plusSeconds(6);
        assertThat(PrometheusText.parse(registry.scrape()).sum("pipeline_secrets_runs_in_flight", "phase", "ACTIVE"))
                .isEqualTo(2.0);

        queryable[0] = false;
        clock.now = NOW.plusSeconds(12);
        PrometheusText rebalancing = PrometheusText.parse(registry.scrape());
        assertThat(rebalancing.sum("pipeline_secrets_runs_in_flight", "phase", "ACTIVE")).as("last census kept")
                .isEqualTo(2.0);
        assertThat(rebalancing.sum("pipeline_secrets_oldest_active_run_age_seconds")).as("age still grows")
                .isEqualTo(42.0);
        assertThat(passes).hasValue(3);
    }

    private static RunCensus census(RunState... states) {
        RunCensus.Tally tally = new RunCensus.Tally();
        for (RunState state : states) {
            tally.add(state);
        }
        return tally.census();
    }

    private static RunState run(String runId, Phase phase, Instant launchedAt, boolean inFlight, Instant nextAttemptAt,
                                int failures) {
        return new RunState(runId, phase, new RunOrigin(null, "filesystem", "launch-" + runId, launchedAt, null),
                RunEnding.NOT_YET, List.of(), new OperationProgress(1, inFlight, nextAttemptAt, failures, launchedAt),
                null, null, launchedAt);
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
