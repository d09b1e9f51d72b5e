package io.pipelinesecrets.lifecycle.run;

import java.util.List;

/**
 * What the state machine decided: the run's new state (null when the input leaves no state, e.g. a stale
 * launch), the backend calls to make, and the audit events to write — applied together in one transaction.
 *
 * @param changed whether {@code state} differs from the state the input was applied to
 */
public record Transition(RunState state, boolean changed, List<BackendCommand> commands, List<AuditFact> audits) {

    public Transition {
        commands = List.copyOf(commands);
        audits = List.copyOf(audits);
    }

    static Transition unchanged(RunState state, List<AuditFact> audits) {
        return new Transition(state, false, List.of(), audits);
    }

    static Transition to(RunState state, List<BackendCommand> commands, List<AuditFact> audits) {
        return new Transition(state, true, commands, audits);
    }
}
