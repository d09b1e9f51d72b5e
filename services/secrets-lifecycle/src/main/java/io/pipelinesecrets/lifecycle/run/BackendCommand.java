package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.backend.RunTarget;
import io.pipelinesecrets.lifecycle.backend.StoredSecret;
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

    record Provision(String runId, String backend, int attempt, RunTarget target, List<Secret> secrets)
            implements BackendCommand {
    }

    record Release(String runId, String backend, int attempt, RunTarget target, List<StoredSecret> secrets)
            implements BackendCommand {
    }
}
