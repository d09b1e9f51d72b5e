package io.pipelinesecrets.lifecycle.resolution;

import java.util.List;

/** The secret names a launch asked for, by scope. */
public record Selection(List<String> workspaceSecrets, List<String> userSecrets) {

    public Selection {
        workspaceSecrets = workspaceSecrets == null ? List.of() : List.copyOf(workspaceSecrets);
        userSecrets = userSecrets == null ? List.of() : List.copyOf(userSecrets);
    }
}
