package io.pipelinesecrets.lifecycle.run;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which workspaces may launch runs on which compute environments. A launch names its compute environment itself, and
 * per-compute-environment settings (an AWS role, a filesystem root, a lease) are looked up by that id; without this
 * binding a producer of one workspace could name another tenant's compute environment and have its runs' secrets
 * written with that tenant's role or under that tenant's root. Compute environments without a binding stay open to
 * every workspace, as before.
 *
 * @param workspacesByComputeEnv the workspaces each bound compute environment admits
 */
public record ComputeEnvironmentAccess(Map<String, Set<String>> workspacesByComputeEnv) {

    public static final ComputeEnvironmentAccess OPEN = new ComputeEnvironmentAccess(Map.of());

    public ComputeEnvironmentAccess {
        Map<String, Set<String>> copy = new HashMap<>();
        workspacesByComputeEnv.forEach((computeEnv, workspaces) -> copy.put(computeEnv, Set.copyOf(workspaces)));
        workspacesByComputeEnv = Map.copyOf(copy);
    }

    public boolean mayUse(String workspaceId, String computeEnvId) {
        Set<String> admitted = workspacesByComputeEnv.get(computeEnvId);
        return admitted == null || admitted.contains(workspaceId);
    }
}
