package io.pipelinesecrets.lifecycle.port;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether the caller of a backend call still wants it made. The lifecycle withdraws a call when its deadline passes
 * or when the task that made it closes (the run's partition moved to another instance, which drives the run again).
 * A withdrawn call must have no further effect: a provisioning that lands after the new owner released the run
 * would re-create secrets nobody will delete.
 *
 * <p>Backends check {@link #isWithdrawn()} before every step that changes the backend (a queued call about to start,
 * a rate-limiter permit granted, a file about to be renamed into place) and report a withdrawn call as failed with
 * {@link #WITHDRAWN}. A step already under way cannot be recalled; {@link #onWithdraw} lets a backend abort what it
 * can (an HTTP request). Thread-safe: withdrawn on the stream thread, checked on the backend's threads.
 */
public final class CallFence {

    /** The error code of a call reported after it was withdrawn; its result is ignored either way. */
    public static final String WITHDRAWN = "CALL_WITHDRAWN";

    private volatile String reason;
    private final List<Runnable> onWithdraw = new CopyOnWriteArrayList<>();

    /** A call nobody will withdraw (tools, tests). */
    public static CallFence open() {
        return new CallFence();
    }

    /** Withdraws the call; later checks see it, and every registered abort runs (once). */
    public void withdraw(String why) {
        synchronized (this) {
            if (reason != null) {
                return;
            }
            reason = why;
        }
        onWithdraw.forEach(CallFence::runQuietly);
        onWithdraw.clear();
    }

    public boolean isWithdrawn() {
        return reason != null;
    }

    /** The failure a backend reports for a step it did not make because the call was withdrawn. */
    public BackendError withdrawnError() {
        return BackendError.retryable(WITHDRAWN, "the call was withdrawn before this step (" + reason + ")");
    }

    /** Runs {@code abort} when the call is withdrawn, or at once if it already is. */
    public void onWithdraw(Runnable abort) {
        onWithdraw.add(abort);
        if (isWithdrawn() && onWithdraw.remove(abort)) {
            runQuietly(abort);
        }
    }

    private static void runQuietly(Runnable abort) {
        try {
            abort.run();
        } catch (RuntimeException ignored) {
            // An abort is best effort: the step it would cut short is one the caller ignores anyway.
        }
    }

    @Override
    public String toString() {
        return reason == null ? "CallFence[open]" : "CallFence[withdrawn: " + reason + "]";
    }
}
