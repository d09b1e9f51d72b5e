package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.List;

/**
 * A backend call the state machine wants made. Commands live only in memory: a provision command carries values
 * and is handed straight to the backend, never stored.
 */
public sealed interface BackendCommand {

    String runId();

    String backend();

    int attempt();

    RunTarget target();

    /** The names of the secrets the call concerns: one outcome per name comes back. */
    List<String> names();

    /** Which of the two operations this is, as its results report it. */
    RunInput.Operation operation();

    record Provision(String runId, String backend, int attempt, RunTarget target, List<Secret> secrets)
            implements BackendCommand {

        @Override
        public List<String> names() {
            return secrets.stream().map(Secret::name).toList();
        }

        @Override
        public RunInput.Operation operation() {
            return RunInput.Operation.PROVISION;
        }
    }

    record Release(String runId, String backend, int attempt, RunTarget target, List<StoredSecret> secrets)
            implements BackendCommand {

        @Override
        public List<String> names() {
            return secrets.stream().map(StoredSecret::name).toList();
        }

        @Override
        public RunInput.Operation operation() {
            return RunInput.Operation.RELEASE;
        }
    }
}
