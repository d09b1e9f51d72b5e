package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.port.Deployment;

import java.net.URI;
import java.time.Duration;
import java.util.List;
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
 * @param bindings        which of the allowed regions and roles each compute environment may use
 * @param accountId       the account of the service's own credentials ({@code aws.account-id}), or null when unknown;
 *                        with it, calls with those credentials and with a role of the same account share one rate limiter
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
        Deployment deployment,
        AwsComputeEnvBindings bindings,
        String accountId) {

    public static final double DEFAULT_CALLS_PER_SECOND = 40;

    public AwsBackendConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(bindings, "bindings");
        environments = Map.copyOf(environments);
        allowedRegions = Set.copyOf(allowedRegions);
        allowedRoleArns = Set.copyOf(allowedRoleArns);
        if (allowedRegions.isEmpty()) {
            throw new IllegalArgumentException("aws.regions is empty: list the regions the service may write to");
        }
        if (!(callsPerSecond > 0)) {
            throw new IllegalArgumentException("aws.calls-per-second must be above zero");
        }
        // Compared literally by the IAM policy's conditions and by ListSecrets filters: it must be a tag value as it is.
        TagValues.problem(instanceId).ifPresent(problem -> {
            throw new IllegalArgumentException("instance.id '" + instanceId + "' " + problem);
        });
        for (String role : new java.util.TreeSet<>(allowedRoleArns)) {
            if (RoleArns.account(role).isEmpty()) {
                throw new IllegalArgumentException("aws.role-arns: '" + role + "' is not an IAM role ARN; use"
                        + " arn:aws:iam::<12-digit account>:role/<name>");
            }
        }
        if (accountId != null && !RoleArns.isAccountId(accountId)) {
            throw new IllegalArgumentException("aws.account-id '" + accountId + "' is not an AWS account id; use the 12"
                    + " digits of the account the service's own credentials belong to, or leave it empty");
        }
        List<String> bindingProblems = bindings.problems(allowedRegions, allowedRoleArns);
        if (!bindingProblems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bindingProblems));
        }
    }

    /** A configuration for no particular deployment (tools and tests without Kafka). */
    public AwsBackendConfig(String instanceId, AwsEnvironmentSettings defaults, Map<String, AwsEnvironmentSettings> environments,
                            Set<String> allowedRegions, Set<String> allowedRoleArns, String roleExternalId,
                            double callsPerSecond, URI endpoint, Duration callTimeout) {
        this(instanceId, defaults, environments, allowedRegions, allowedRoleArns, roleExternalId, callsPerSecond, endpoint,
                callTimeout, null, AwsComputeEnvBindings.NONE, null);
    }

    /** The same configuration for the deployment the service found itself in at start. */
    public AwsBackendConfig withDeployment(Deployment newDeployment) {
        return new AwsBackendConfig(instanceId, defaults, environments, allowedRegions, allowedRoleArns, roleExternalId,
                callsPerSecond, endpoint, callTimeout, newDeployment, bindings, accountId);
    }

    /** The same configuration with compute environments bound to some of the allowed regions and roles. */
    public AwsBackendConfig withBindings(AwsComputeEnvBindings newBindings) {
        return new AwsBackendConfig(instanceId, defaults, environments, allowedRegions, allowedRoleArns, roleExternalId,
                callsPerSecond, endpoint, callTimeout, deployment, newBindings, accountId);
    }

    /** The same configuration knowing the account of the service's own credentials. */
    public AwsBackendConfig withAccountId(String newAccountId) {
        return new AwsBackendConfig(instanceId, defaults, environments, allowedRegions, allowedRoleArns, roleExternalId,
                callsPerSecond, endpoint, callTimeout, deployment, bindings, newAccountId);
    }

    /** The regions a launch of this compute environment may name. */
    AwsComputeEnvBindings.Allowance regionsOf(String computeEnvId) {
        return bindings.regionsOf(computeEnvId, allowedRegions);
    }

    /** The roles a launch of this compute environment may name. */
    AwsComputeEnvBindings.Allowance roleArnsOf(String computeEnvId) {
        return bindings.roleArnsOf(computeEnvId, allowedRoleArns);
    }

    public AwsEnvironmentSettings settingsFor(String computeEnvId) {
        return environments.getOrDefault(computeEnvId, defaults);
    }
}
