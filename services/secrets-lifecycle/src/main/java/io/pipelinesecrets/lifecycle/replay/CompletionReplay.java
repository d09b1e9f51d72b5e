package io.pipelinesecrets.lifecycle.replay;

import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowStatus;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.runs.RunStateChangelog.StoredRunState;

import java.time.Instant;
import java.util.Optional;

/**
 * Which runs a replayed completion may re-drive, decided from the run's state alone.
 *
 * <p>A completion is what makes the service delete a run's secrets. It is sent only for a run the service knows
 * and that has not had one: such a run may still hold secrets (ACTIVE, PROVISIONING), or ended provisioning in a
 * failure and waits for its completion to be closed (FAILED, ROLLING_BACK). It is refused for
 * <ul>
 *   <li>an unknown run: a completion would record it as released, and its launch, if it came later, would be
 *       skipped — the run would start without its secrets;</li>
 *   <li>a released run: there is nothing left to delete;</li>
 *   <li>a run that already has a completion (or an expired lease): the service is on it and retries a release
 *       until it succeeds; another completion would be skipped as a duplicate.</li>
 * </ul>
 * The event's id is {@code replay-completion:<runId>}: replaying the replay is a duplicate the service skips,
 * and the audit events it causes carry ids derived from it.
 */
public final class CompletionReplay {

    public static final String EVENT_ID_PREFIX = "replay-completion:";

    private CompletionReplay() {
    }

    /** What to do about one run. */
    public sealed interface Decision {
        String runId();

        /** Send the completion to this partition of the completed topic: the partition of the task holding the run. */
        record Send(String runId, RunState state, int partition, String why) implements Decision {
        }

        record Refuse(String runId, Optional<RunState> state, String reason) implements Decision {
        }
    }

    public static String eventId(String runId) {
        return EVENT_ID_PREFIX + runId;
    }

    public static Decision decide(String runId, Optional<StoredRunState> stored) {
        if (stored.isEmpty()) {
            return new Decision.Refuse(runId, Optional.empty(), "no state in the run-state changelog: the service does"
                    + " not know this run (or released it more than 8 days ago and forgot it); a completion would mark"
                    + " it released and make a later launch of it provision nothing");
        }
        RunState state = stored.get().state();
        Optional<RunState> known = Optional.of(state);
        if (state.phase() == Phase.RELEASED) {
            return new Decision.Refuse(runId, known, "already RELEASED" + (state.updatedAt() == null ? ""
                    : " at " + state.updatedAt()) + "; nothing left to delete");
        }
        if (state.completed()) {
            return new Decision.Refuse(runId, known, "already has a completion (" + state.ending().completionEventId() + ") and is "
                    + state.phase() + ": the service retries its release until it succeeds"
                    + (state.lastError() == null ? "" : " (last error " + state.lastError().code() + ")")
                    + "; another completion would be skipped as a duplicate");
        }
        if (state.origin().target() == null || state.origin().target().workspaceId() == null) {
            return new Decision.Refuse(runId, known, "its state names no workspace, so no valid completion can be built");
        }
        String why = switch (state.phase()) {
            case ACTIVE -> "holds its secrets and has no completion: the completion releases them";
            case AWAITING_SECRETS -> "still waiting for its secrets to be visible: the completion ends the wait and"
                    + " closes the run with nothing created";
            case PROVISIONING -> "still provisioning: the completion releases what was created as soon as the"
                    + " current backend call returns";
            case ROLLING_BACK -> "rolling back a failed provisioning: the completion closes the run once the rollback"
                    + " ends";
            case FAILED -> "provisioning failed and was rolled back: the completion closes the run (RELEASED)";
            case RELEASING, RELEASED -> null;
        };
        if (why == null) {
            return new Decision.Refuse(runId, known, state.phase() + " without a completion is not a state the service"
                    + " makes; inspect it with `runs show " + runId + "`");
        }
        return new Decision.Send(runId, state, stored.get().partition(), why);
    }

    /** The completion for a run {@link #decide} chose to send: status UNKNOWN, the deterministic event id. */
    public static WorkflowCompleted completionOf(Decision.Send send, Instant now) {
        return WorkflowCompleted.newBuilder()
                .setEventId(eventId(send.runId()))
                .setRunId(send.runId())
                .setWorkspaceId(send.state().origin().target().workspaceId())
                .setStatus(WorkflowStatus.UNKNOWN)
                .setCompletedAt(now)
                .build();
    }
}
