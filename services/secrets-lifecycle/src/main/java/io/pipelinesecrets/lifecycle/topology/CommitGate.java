package io.pipelinesecrets.lifecycle.topology;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds back the backend calls a Streams transaction decided until that transaction has committed.
 *
 * <p>Why: under exactly-once a transaction can abort after the processor acted (a crash, a fenced producer, a
 * transaction timeout during a long rebalance). The state, the audit events and the consumed offsets roll back and
 * the input is processed again — but a backend call already made cannot roll back. A run launched, provisioned,
 * completed and released inside one aborted transaction would then be provisioned again on replay: its secrets
 * re-created after they had been deleted. Calls made only once their decision is committed never need undoing; a
 * decision that aborts is simply made again, and its calls with it.
 *
 * <p>Transactions belong to stream threads (exactly-once v2: one producer per thread) and a processor runs on its
 * task's stream thread, so calls are kept per thread. The stream thread's producer reports the outcome
 * ({@link #committed()} after a successful commit, {@link #aborted()} on abort); without transactions the gate is
 * open and calls are made at once.
 */
public final class CommitGate {

    private static final Logger LOG = LoggerFactory.getLogger(CommitGate.class);

    private final boolean transactional;
    private final ThreadLocal<List<Runnable>> pending = ThreadLocal.withInitial(ArrayList::new);

    private CommitGate(boolean transactional) {
        this.transactional = transactional;
    }

    /** Calls are made when decided: no transactions to wait for (at-least-once, or the topology test driver). */
    public static CommitGate open() {
        return new CommitGate(false);
    }

    /** Calls wait for the commit of the stream thread's transaction that decided them. */
    public static CommitGate afterCommit() {
        return new CommitGate(true);
    }

    /** Makes the call now, or when the current transaction of the calling stream thread commits. */
    void submit(Runnable call) {
        if (transactional) {
            pending.get().add(call);
        } else {
            call.run();
        }
    }

    /** The calling stream thread's transaction committed: make the calls it decided. */
    public void committed() {
        List<Runnable> due = pending.get();
        if (due.isEmpty()) {
            return;
        }
        List<Runnable> calls = List.copyOf(due);
        due.clear();
        for (Runnable call : calls) {
            try {
                call.run();
            } catch (RuntimeException e) {
                // The commit stands; a call that could not start leaves its run in flight, driven again at restart.
                LOG.error("a backend call decided by a committed transaction could not be started", e);
            }
        }
    }

    /** The calling stream thread's transaction aborted: its decisions never happened, nor will their calls. */
    public void aborted() {
        pending.get().clear();
    }
}
