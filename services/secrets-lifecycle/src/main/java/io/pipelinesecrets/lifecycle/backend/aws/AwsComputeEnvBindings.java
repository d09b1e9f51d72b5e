package io.pipelinesecrets.lifecycle.backend.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which regions and roles each compute environment may use: narrower than the global {@code aws.regions} and
 * {@code aws.role-arns}, so that a launch from one tenant's compute environment cannot name another tenant's role
 * (account) or region. A binding names the compute environment the launch event names: it stops a workspace from
 * borrowing another compute environment's role, not a producer that lies about the compute environment.
 *
 * <p>Regions and roles are bound independently. A compute environment without a binding of one kind may use the
 * global list of that kind, or nothing at all when {@code required} ({@code aws.require-compute-env-binding}).
 * A launch naming no role uses the service's own credentials and needs only its region allowed.
 *
 * @param regions  per compute environment id, {@code aws.compute-env.<id>.regions}
 * @param roleArns per compute environment id, {@code aws.compute-env.<id>.role-arns}
 * @param required whether a compute environment without a binding may use nothing of that kind
 */
public record AwsComputeEnvBindings(Map<String, Set<String>> regions, Map<String, Set<String>> roleArns, boolean required) {

    public static final String REQUIRED_KEY = "aws.require-compute-env-binding";
    public static final AwsComputeEnvBindings NONE = new AwsComputeEnvBindings(Map.of(), Map.of(), false);

    public AwsComputeEnvBindings {
        regions = copy(regions);
        roleArns = copy(roleArns);
    }

    /** What a compute environment may use of one kind, and the setting that says so (for the refusal's message). */
    record Allowance(Set<String> values, String source) {
        boolean permits(String value) {
            return values.contains(value);
        }
    }

    Allowance regionsOf(String computeEnvId, Set<String> allowedRegions) {
        return allowance(computeEnvId, regions, "regions", "aws.regions", allowedRegions, true);
    }

    Allowance roleArnsOf(String computeEnvId, Set<String> allowedRoleArns) {
        // Roles are not listed: a run's audit event would otherwise show other tenants' accounts.
        return allowance(computeEnvId, roleArns, "role-arns", "aws.role-arns", allowedRoleArns, false);
    }

    /** Every binding that is empty or reaches beyond the global allow-list, one line each naming its key. */
    public List<String> problems(Set<String> allowedRegions, Set<String> allowedRoleArns) {
        List<String> problems = new ArrayList<>();
        check(regions, "regions", "aws.regions", allowedRegions, problems);
        check(roleArns, "role-arns", "aws.role-arns", allowedRoleArns, problems);
        return problems;
    }

    public static String key(String computeEnvId, String setting) {
        return "aws.compute-env." + computeEnvId + "." + setting;
    }

    private Allowance allowance(String computeEnvId, Map<String, Set<String>> bindings, String setting, String globalKey,
                                Set<String> global, boolean listValues) {
        Set<String> bound = bindings.get(computeEnvId);
        if (bound != null) {
            return new Allowance(bound, key(computeEnvId, setting) + (listValues ? " " + new TreeSet<>(bound) : ""));
        }
        if (required) {
            return new Allowance(Set.of(), "any " + setting + " of compute environment " + computeEnvId + ": it has no "
                    + key(computeEnvId, setting) + " and " + REQUIRED_KEY + " is true");
        }
        return new Allowance(global, "the configured " + globalKey + (listValues ? " " + new TreeSet<>(global) : ""));
    }

    private static void check(Map<String, Set<String>> bindings, String setting, String globalKey, Set<String> global,
                              List<String> problems) {
        bindings.forEach((computeEnvId, bound) -> {
            if (bound.isEmpty()) {
                problems.add(key(computeEnvId, setting) + " is empty: list what the compute environment may use, or remove"
                        + " the key");
            }
            new TreeSet<>(bound).stream().filter(value -> !global.contains(value)).forEach(value -> problems.add(
                    key(computeEnvId, setting) + ": " + value + " is not in " + globalKey + "; a compute environment's"
                            + " binding only narrows the global list, so add it there too or remove it here"));
        });
    }

    private static Map<String, Set<String>> copy(Map<String, Set<String>> bindings) {
        Objects.requireNonNull(bindings, "bindings");
        Map<String, Set<String>> copy = new TreeMap<>();
        bindings.forEach((computeEnvId, values) -> copy.put(computeEnvId, Set.copyOf(values)));
        return Map.copyOf(copy);
    }
}
