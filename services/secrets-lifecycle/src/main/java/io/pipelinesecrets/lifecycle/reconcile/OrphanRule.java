package io.pipelinesecrets.lifecycle.reconcile;

import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether something the service owns in a backend is a leftover: the reconciler's whole judgement, pure.
 *
 * <p>An entry is kept while its run is in a state that may hold secrets or is about to (the service itself is
 * working on it), and whatever its run, while it is younger than the grace period: ListSecrets is eventually
 * consistent, and a run's state reaches the changelog only at the service's next commit, after the backend call
 * that created the entry has started. Everything else — a run released, failed or unknown (never launched, or
 * forgotten after its retention) — is an orphan.
 */
public final class OrphanRule {

    private OrphanRule() {
    }

    public enum Verdict {
        KEEP,
        DELETE
    }

    /** Why: {@code TOO_RECENT}, {@code RUN_IN_PROGRESS}, {@code RUN_RELEASED}, {@code RUN_FAILED} or {@code RUN_UNKNOWN}. */
    public record Decision(OwnedEntry entry, Verdict verdict, String reason) {
    }

    /** @param state the entry's run as the service last committed it, or null when it has none */
    public static Decision decide(OwnedEntry entry, RunState state, Instant now, Duration grace) {
        if (entry.createdAt().plus(grace).isAfter(now)) {
            return new Decision(entry, Verdict.KEEP, "TOO_RECENT");
        }
        if (state == null) {
            return new Decision(entry, Verdict.DELETE, "RUN_UNKNOWN");
        }
        Phase phase = state.phase();
        return switch (phase) {
            case RELEASED -> new Decision(entry, Verdict.DELETE, "RUN_RELEASED");
            case FAILED -> new Decision(entry, Verdict.DELETE, "RUN_FAILED");
            case AWAITING_SECRETS, PROVISIONING, ACTIVE, RELEASING, ROLLING_BACK ->
                    new Decision(entry, Verdict.KEEP, "RUN_IN_PROGRESS");
        };
    }
}
