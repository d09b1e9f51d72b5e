package io.pipelinesecrets.lifecycle.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The gauges about runs held by this instance: {@code runs_in_flight{phase}}, {@code retry_queue_depth},
 * {@code release_failures_outstanding} and {@code oldest_active_run_age_seconds} (definitions in
 * {@link RunCensus}).
 *
 * <p>Why they are read from the run-state store rather than counted by the processor: the store is the truth
 * that survives restarts and moves with partitions, so a census of the local stores is right after a crash or a
 * rebalance without any bookkeeping on the stream thread (which stays untouched). The census runs at scrape
 * time, on the scraping thread, over the stores' interactive-query view (active tasks only, released runs
 * included), and is cached for {@link #DEFAULT_MAX_AGE} so that the four gauges of one scrape, and scrapes close
 * together, share one pass. Its cost is one pass over the runs this instance remembers (released runs stay 8 days),
 * which is cheap at the rates this service sees (thousands of runs a day); a much busier deployment would keep
 * the counts on the stream thread instead. While the stores are not queryable (starting, rebalancing) the
 * gauges keep their last values.
 */
public final class RunStateGauges {

    public static final String RUNS_IN_FLIGHT = "pipeline.secrets.runs.in.flight";
    public static final String RETRY_QUEUE_DEPTH = "pipeline.secrets.retry.queue.depth";
    public static final String RELEASE_FAILURES_OUTSTANDING = "pipeline.secrets.release.failures.outstanding";
    public static final String OLDEST_ACTIVE_RUN_AGE = "pipeline.secrets.oldest.active.run.age";
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(RunStateGauges.class);

    /** Where the run states come from: every run this instance holds, visited once per census. */
    @FunctionalInterface
    public interface RunSource {
        RunSource NONE = visitor -> {
        };

        void forEachRun(Consumer<RunState> visitor);
    }

    private final Clock clock;
    private final Duration maxAge;
    private volatile RunSource source = RunSource.NONE;
    private RunCensus census = RunCensus.EMPTY;
    private Instant takenAt;

    public RunStateGauges(MeterRegistry registry, Clock clock, Duration maxAge) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        for (Phase phase : RunCensus.COUNTED_PHASES) {
            Gauge.builder(RUNS_IN_FLIGHT, this, gauges -> gauges.census().inFlight(phase))
                    .description("Runs held by this instance, per non-final phase")
                    .tag("phase", phase.name())
                    .register(registry);
        }
        Gauge.builder(RETRY_QUEUE_DEPTH, this, gauges -> gauges.census().retryQueueDepth())
                .description("Runs waiting for a retry timer on this instance")
                .register(registry);
        Gauge.builder(RELEASE_FAILURES_OUTSTANDING, this, gauges -> gauges.census().releaseFailuresOutstanding())
                .description("Runs whose release has failed at least once and is not yet done")
                .register(registry);
        Gauge.builder(OLDEST_ACTIVE_RUN_AGE, this, gauges -> gauges.census().oldestActiveAgeSeconds(gauges.clock.instant()))
                .description("Age since launch of the oldest run still holding secrets on this instance")
                .baseUnit("seconds")
                .register(registry);
    }

    /** Starts counting the runs of {@code runs} (the service, once started); until then every gauge is 0. */
    public void countRunsOf(RunSource runs) {
        this.source = Objects.requireNonNull(runs, "runs");
        synchronized (this) {
            takenAt = null;
        }
    }

    synchronized RunCensus census() {
        Instant now = clock.instant();
        if (takenAt != null && takenAt.plus(maxAge).isAfter(now)) {
            return census;
        }
        RunCensus.Tally tally = new RunCensus.Tally();
        try {
            source.forEachRun(tally::add);
            census = tally.census();
        } catch (RuntimeException notQueryable) {
            // Typically InvalidStateStoreException while starting or rebalancing: keep the last census.
            LOG.debug("run states not countable now: {}", notQueryable.toString());
        }
        takenAt = now;
        return census;
    }
}
