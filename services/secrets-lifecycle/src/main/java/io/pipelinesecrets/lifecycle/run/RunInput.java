package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.resolution.Selection;

import java.time.Instant;
import java.util.List;

/** What can happen to a run: events from the platform, backend results, and timers. */
public sealed interface RunInput {

    String runId();

    /** @param awaited secrets-topic positions to wait for before resolving (read-your-writes), or null */
    record Launch(String eventId, String runId, Instant launchedAt, RunTarget target, Selection selection,
                  SecretsPosition awaited) implements RunInput {

        public Launch(String eventId, String runId, Instant launchedAt, RunTarget target, Selection selection) {
            this(eventId, runId, launchedAt, target, selection, null);
        }
    }

    record Completion(String eventId, String runId, String workspaceId, String status, Instant completedAt)
            implements RunInput {
    }

    /** Every outcome of one backend command, delivered back on the stream thread. */
    record BackendDone(String runId, Operation operation, int attempt, List<SecretOutcome> outcomes, long durationMs)
            implements RunInput {
    }

    /** The retry timer of a working run fired. */
    record RetryDue(String runId) implements RunInput {
    }

    /**
     * The run was found in flight when its task started: the process that made the call is gone, so its result
     * will never arrive. Every backend call is idempotent, so the run is simply driven again.
     */
    record Redrive(String runId) implements RunInput {
    }

    /** The run's lease timer fired: if it is still running past its maximum lifetime, release it. */
    record LeaseDue(String runId) implements RunInput {
    }

    /** A periodic look at a run awaiting secrets: provision once they are visible, fail once the wait is over. */
    record SecretsCheck(String runId) implements RunInput {
    }

    enum Operation {
        PROVISION,
        RELEASE
    }
}
