package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.backend.Deployment;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The AWS Secrets Manager backend's configuration.
 *
 * <p>No confused deputy: the region and role a launch names are used only when this configuration allows them
 * ({@link #allowedRegions}, {@link #allowedRoleArns}); anything else fails the run's provisioning as a permanent,
 * audited error, so a forged event cannot make the service write into an account or region of its choosing.
 *
 * @param instanceId      written as the {@code managed-by} tag; the service only ever deletes or adopts secrets carrying it
 * @param environments    per compute environment id, overriding {@link #defaults}
 * @param roleExternalId  external id passed when assuming a role, or null
 * @param callsPerSecond  client-side limit of create/delete calls per account and region; under the ~50/s quota
 * @param endpoint        a Secrets Manager endpoint to use instead of AWS's (an emulator or the test double), or null
 * @param callTimeout     bound on one API call including the SDK's own retries
 * @param deployment      written as the {@code deployment} tag beside {@code managed-by}, or null where none is known
 *                        (tools and tests without Kafka); the reconciler deletes only secrets tagged with its own
 */
public record AwsBackendConfig(
        String instanceId,
        AwsEnvironmentSettings defaults,
        Map<String, AwsEnvironmentSettings> environments,
        Set<String> allowedRegions,
        Set<String> allowedRoleArns,
        String roleExternalId,
        double callsPerSecond,
        URI endpoint,
        Duration callTimeout,
        Deployment deployment) {

    public static final double DEFAULT_CALLS_PER_SECOND = 40;

    public AwsBackendConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(callTimeout, "callTimeout");
        environments = Map.copyOf(environments);
        allowedRegions = Set.copyOf(allowedRegions);
        allowedRoleArns = Set.copyOf(allowedRoleArns);
        if (allowedRegions.isEmpty()) {
            throw new IllegalArgumentException("aws.regions is empty: list the regions the service may write to");
        }
        if (!(callsPerSecond > 0)) {
            throw new IllegalArgumentException("aws.calls-per-second must be above zero");
        }
    }

    /** A configuration for no particular deployment (tools and tests without Kafka). */
    public AwsBackendConfig(String instanceId, AwsEnvironmentSettings defaults, Map<String, AwsEnvironmentSettings> environments,
                            Set<String> allowedRegions, Set<String> allowedRoleArns, String roleExternalId,
                            double callsPerSecond, URI endpoint, Duration callTimeout) {
        this(instanceId, defaults, environments, allowedRegions, allowedRoleArns, roleExternalId, callsPerSecond, endpoint,
                callTimeout, null);
    }

    /** The same configuration for the deployment the service found itself in at start. */
    public AwsBackendConfig withDeployment(Deployment newDeployment) {
        return new AwsBackendConfig(instanceId, defaults, environments, allowedRegions, allowedRoleArns, roleExternalId,
                callsPerSecond, endpoint, callTimeout, newDeployment);
    }

    public AwsEnvironmentSettings settingsFor(String computeEnvId) {
        return environments.getOrDefault(computeEnvId, defaults);
    }
}
