package io.pipelinesecrets.lifecycle.port;

import java.util.Objects;

/**
 * Where and for whom a backend writes a run's secrets: the run, its owners (for ownership tags) and its compute
 * environment as the launch event described it. Backends validate every part before they use it.
 */
public record RunTarget(
        String runId,
        String workspaceId,
        String userId,
        String computeEnvId,
        String platform,
        String region,
        String accountRoleArn,
        String secretsPath) {

    public RunTarget {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(computeEnvId, "computeEnvId");
        Objects.requireNonNull(platform, "platform");
    }

    /** Only where a run's secrets are, without owners or compute environment: what the reconciler knows of a leftover. */
    public static RunTarget located(String runId, String region, String accountRoleArn, String secretsPath) {
        return new RunTarget(runId, null, null, "", "", region, accountRoleArn, secretsPath);
    }
}
