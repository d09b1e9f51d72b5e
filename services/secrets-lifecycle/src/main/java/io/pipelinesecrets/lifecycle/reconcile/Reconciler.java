package io.pipelinesecrets.lifecycle.reconcile;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.run.RunState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The safety net for secrets whose run's completion never arrived or whose release was lost: lists what the
 * service owns in each backend, compares it with the runs' states, and deletes what belongs to no run in
 * progress ({@link OrphanRule}). Every deletion is an {@code ORPHAN_DELETED} audit event; a dry run only reports.
 *
 * <p>The run states are read first and the backends listed afterwards, so anything created after the states
 * were read is younger than the grace period (as long as the grace period exceeds the time a listing takes) and
 * kept. Nothing without the service's managed-by mark is ever listed, so nothing else is ever deleted; each
 * backend checks the mark again right before it deletes.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final long BACKEND_TIMEOUT_MINUTES = 10;

    private final List<SecretsBackend> backends;
    private final Supplier<Map<String, RunState>> runStates;
    private final Consumer<AuditFact> audit;
    private final Duration grace;
    private final Clock clock;

    /**
     * @param runStates every run's latest committed state, by run id (the run-state changelog)
     * @param audit     where ORPHAN_DELETED facts go (the audit topic)
     */
    public Reconciler(List<SecretsBackend> backends, Supplier<Map<String, RunState>> runStates,
                      Consumer<AuditFact> audit, Duration grace, Clock clock) {
        this.backends = List.copyOf(backends);
        this.runStates = Objects.requireNonNull(runStates, "runStates");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One pass over every backend. */
    public ReconcileReport reconcile(boolean dryRun) {
        Map<String, RunState> states = runStates.get();
        Instant now = clock.instant();
        List<ReconcileReport.Line> lines = new ArrayList<>();
        for (SecretsBackend backend : backends) {
            List<OwnedEntry> owned;
            try {
                owned = backend.listOwned().get(BACKEND_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            } catch (Exception e) {
                // One backend that cannot be listed must not stop the others from being cleaned.
                LOG.warn("reconcile: cannot list {}: {}", backend.name(), rootMessage(e));
                lines.add(ReconcileReport.Line.unlisted(backend.name(), rootMessage(e)));
                continue;
            }
            for (OwnedEntry entry : owned) {
                OrphanRule.Decision decision = OrphanRule.decide(entry, states.get(entry.runId()), now, grace);
                lines.add(act(backend, decision, dryRun));
            }
        }
        ReconcileReport report = new ReconcileReport(dryRun, states.size(), lines);
        LOG.info("reconcile{}: {} run state(s), {}", dryRun ? " (dry run)" : "", states.size(), report.summary());
        return report;
    }

    private ReconcileReport.Line act(SecretsBackend backend, OrphanRule.Decision decision, boolean dryRun) {
        OwnedEntry entry = decision.entry();
        if (decision.verdict() == OrphanRule.Verdict.KEEP || dryRun) {
            return ReconcileReport.Line.of(decision, decision.verdict() == OrphanRule.Verdict.KEEP ? "kept" : "would delete");
        }
        SecretOutcome outcome;
        try {
            outcome = backend.deleteOwned(entry).get(BACKEND_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.warn("reconcile: deleting {} of run {} failed: {}", entry.ref(), entry.runId(), rootMessage(e));
            return ReconcileReport.Line.of(decision, "failed: " + rootMessage(e));
        }
        if (outcome instanceof SecretOutcome.Failed failed) {
            LOG.warn("reconcile: deleting {} of run {} failed: {} {}", entry.ref(), entry.runId(),
                    failed.error().code(), failed.error().message());
            return ReconcileReport.Line.of(decision, "failed: " + failed.error().code());
        }
        audit.accept(AuditFact.of(AuditAction.ORPHAN_DELETED, AuditOutcome.SUCCESS).run(entry.runId())
                .backend(entry.backend()).backendRef(entry.ref())
                .cause("reconcile:" + entry.backend() + ":" + entry.ref()).reason(decision.reason()).build());
        LOG.info("reconcile: deleted {} of run {} ({})", entry.ref(), entry.runId(), decision.reason());
        return ReconcileReport.Line.of(decision, "deleted");
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
