package io.pipelinesecrets.lifecycle.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.topology.BackendObserver;
import io.pipelinesecrets.lifecycle.topology.LifecycleObserver;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;

/**
 * The meters that events move: what the lifecycle processor writes to the audit and dead-letter topics, and how
 * each backend call turns out. Names and labels are a contract (dashboards, alerts): see the constants and
 * DESIGN/contracts; Micrometer's dots become underscores, counters gain {@code _total}, the timer
 * {@code _seconds_bucket/_count/_sum}.
 *
 * <p>Counters follow the audit trail as the processor forwards it, inside the Streams transaction. A transaction
 * that aborts (a crash, a fenced producer) is processed again and counted again, so after a failure these counters
 * may run ahead of the audit topic; they never run behind it. Label values come from the service's own enums and
 * codes (actions, outcomes, reasons, backend error codes, topic names, backend names): a bounded set, and never
 * anything taken from a secret.
 */
public final class LifecycleMetrics implements LifecycleObserver, BackendObserver {

    public static final String RUNS_PROVISIONED = "pipeline.secrets.runs.provisioned";
    public static final String RUNS_RELEASED = "pipeline.secrets.runs.released";
    public static final String RUNS_FAILED = "pipeline.secrets.runs.failed";
    public static final String SECRETS_CREATED = "pipeline.secrets.secrets.created";
    public static final String SECRETS_DELETED = "pipeline.secrets.secrets.deleted";
    public static final String ORPHANS_DELETED = "pipeline.secrets.orphans.deleted";
    public static final String AUDIT_EVENTS = "pipeline.secrets.audit.events";
    public static final String DEAD_LETTERS = "pipeline.secrets.dead.letters";
    public static final String BACKEND_CALL = "pipeline.secrets.backend.call";
    public static final String BACKEND_THROTTLES = "pipeline.secrets.backend.throttles";

    /** {@code reason} of a run released by an ordinary completion (its audit event carries no reason). */
    public static final String COMPLETED = "completed";
    /** Label value where the audit event has none (e.g. no backend serves the run's platform). */
    public static final String NONE = "none";

    /** Histogram buckets of a backend call: filesystem writes take milliseconds, rate-limited AWS bursts seconds. */
    private static final Duration[] CALL_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60)};

    private final MeterRegistry registry;

    public LifecycleMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Registers the per-backend counters at zero, so that dashboards and {@code increase()} see a series from the
     * start instead of only after the first event.
     */
    public LifecycleMetrics withBackends(Collection<String> backends) {
        for (String backend : backends) {
            registry.counter(RUNS_PROVISIONED, "backend", backend);
            registry.counter(SECRETS_CREATED, "backend", backend);
            registry.counter(SECRETS_DELETED, "backend", backend);
            registry.counter(ORPHANS_DELETED, "backend", backend);
            registry.counter(BACKEND_THROTTLES, "backend", backend);
        }
        return this;
    }

    @Override
    public void audited(AuditFact fact) {
        registry.counter(AUDIT_EVENTS, "action", fact.action().name(), "outcome", fact.outcome().name()).increment();
        String backend = orNone(fact.backend());
        switch (fact.action()) {
            case SECRETS_PROVISIONED -> registry.counter(RUNS_PROVISIONED, "backend", backend).increment();
            case SECRETS_RELEASED -> registry.counter(RUNS_RELEASED, "backend", backend,
                    "reason", fact.reason() == null ? COMPLETED : fact.reason()).increment();
            case PROVISION_FAILED -> failed(backend, "provision", fact.errorCode()).increment();
            case RELEASE_FAILED -> failed(backend, "release", fact.errorCode()).increment();
            case SECRET_CREATED -> registry.counter(SECRETS_CREATED, "backend", backend).increment();
            case SECRET_DELETED -> registry.counter(SECRETS_DELETED, "backend", backend).increment();
            default -> {
                // counted in audit_events only
            }
        }
    }

    @Override
    public void deadLettered(String sourceTopic, String code) {
        registry.counter(DEAD_LETTERS, "topic", orNone(sourceTopic), "code", orNone(code)).increment();
    }

    @Override
    public void called(String backend, RunInput.Operation operation, CallOutcome outcome, Duration took) {
        Timer.builder(BACKEND_CALL)
                .description("Backend calls from dispatch to result, by operation and outcome")
                .tags("backend", orNone(backend), "operation", operation.name().toLowerCase(Locale.ROOT),
                        "outcome", outcome.name().toLowerCase(Locale.ROOT))
                .serviceLevelObjectives(CALL_BUCKETS)
                .register(registry)
                .record(took);
    }

    @Override
    public void throttled(String backend) {
        registry.counter(BACKEND_THROTTLES, "backend", orNone(backend)).increment();
    }

    /** The reconciler deleted something of {@code backend} that belonged to no active run. */
    public void orphanDeleted(String backend) {
        registry.counter(ORPHANS_DELETED, "backend", orNone(backend)).increment();
    }

    private Counter failed(String backend, String operation, String errorCode) {
        return registry.counter(RUNS_FAILED, "backend", backend, "operation", operation, "error_code", orNone(errorCode));
    }

    private static String orNone(String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }
}
