package io.pipelinesecrets.lifecycle.run;

import java.util.List;

/**
 * What the state machine decided: the run's new state (null when the input leaves no state, e.g. a stale
 * launch), the backend calls to make, and the audit events to write — applied together in one transaction.
 *
 * @param changed   whether {@code state} differs from the state the input was applied to
 * @param rejection set when the input is one no run may act on (a completion naming another workspace): the event
 *                  goes to the dead-letter queue with this code and message, and nothing else happens
 */
public record Transition(RunState state, boolean changed, List<BackendCommand> commands, List<AuditFact> audits,
                         Rejection rejection) {

    /** Why the run refuses an event: a stable code and a message without content. */
    public record Rejection(String code, String message) {
    }

    public Transition {
        commands = List.copyOf(commands);
        audits = List.copyOf(audits);
    }

    public Transition(RunState state, boolean changed, List<BackendCommand> commands, List<AuditFact> audits) {
        this(state, changed, commands, audits, null);
    }

    static Transition rejected(RunState state, String code, String message) {
        return new Transition(state, false, List.of(), List.of(), new Rejection(code, message));
    }

    static Transition unchanged(RunState state, List<AuditFact> audits) {
        return new Transition(state, false, List.of(), audits);
    }

    static Transition to(RunState state, List<BackendCommand> commands, List<AuditFact> audits) {
        return new Transition(state, true, commands, audits);
    }
}
