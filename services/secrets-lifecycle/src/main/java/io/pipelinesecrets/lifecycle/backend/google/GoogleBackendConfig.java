package io.pipelinesecrets.lifecycle.backend.google;

import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Google Secret Manager backend's configuration.
 *
 * <p>No confused deputy: projects, locations and service accounts come from this configuration per compute
 * environment ({@link #environments}, else {@link #defaults}), each one within its allow-list. A launch event picks
 * none of them; one that names a service account other than its compute environment's is refused.
 *
 * @param instanceId         written as the {@code managed-by} label; only secrets carrying it are adopted or deleted
 * @param defaults           for compute environments without settings of their own
 * @param environments       per compute environment id ({@code google.compute-env.<id>.*})
 * @param allowedProjects    {@code google.projects}: every project the service may write to
 * @param allowedLocations   {@code google.locations}: every location of regional secrets
 * @param allowedServiceAccounts {@code google.service-accounts}: every service account the service may impersonate
 * @param bindingRequired    a compute environment without settings of its own gets no project at all
 * @param writesPerMinute    client-side limit of create, add-version and delete calls per project
 * @param readsPerMinute     client-side limit of get and list calls per project
 * @param maxSecretLifetime  the expiry of every secret when its compute environment has no lease
 * @param leases             the runs' leases: a secret expires with its run's lease when one applies
 * @param endpoint           a Secret Manager endpoint to use instead of Google's (the test double), or null;
 *                           {@code http://} means plain text without credentials
 * @param callTimeout        bound on one API call
 * @param deployment         written as the {@code deployment} label, or null where none is known (tools, tests)
 */
public record GoogleBackendConfig(
        String instanceId,
        GoogleEnvironmentSettings defaults,
        Map<String, GoogleEnvironmentSettings> environments,
        Set<String> allowedProjects,
        Set<String> allowedLocations,
        Set<String> allowedServiceAccounts,
        boolean bindingRequired,
        double writesPerMinute,
        double readsPerMinute,
        Duration maxSecretLifetime,
        LeasePolicy leases,
        URI endpoint,
        Duration callTimeout,
        Deployment deployment) {

    /** 90 % of Secret Manager's 600 writes (and reads) a minute per project. */
    public static final double DEFAULT_CALLS_PER_MINUTE = 540;
    /** Project ids: 6 to 30 lower-case letters, digits and hyphens, starting with a letter. */
    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    private static final Pattern LOCATION = Pattern.compile("[a-z]+-[a-z]+[0-9]+");
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com");

    public GoogleBackendConfig {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(maxSecretLifetime, "maxSecretLifetime");
        Objects.requireNonNull(leases, "leases");
        Objects.requireNonNull(callTimeout, "callTimeout");
        environments = Map.copyOf(environments);
        allowedProjects = Set.copyOf(allowedProjects);
        allowedLocations = Set.copyOf(allowedLocations);
        allowedServiceAccounts = Set.copyOf(allowedServiceAccounts);
        List<String> problems = problems(instanceId, defaults, environments, allowedProjects, allowedLocations,
                allowedServiceAccounts, writesPerMinute, readsPerMinute, maxSecretLifetime);
        endpointProblem(endpoint).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
    }

    /** A configuration that cannot work, with one line per problem, each naming its key. */
    public static final class Invalid extends IllegalArgumentException {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** The same configuration for the deployment the service found itself in at start. */
    public GoogleBackendConfig withDeployment(Deployment newDeployment) {
        return new GoogleBackendConfig(instanceId, defaults, environments, allowedProjects, allowedLocations,
                allowedServiceAccounts, bindingRequired, writesPerMinute, readsPerMinute, maxSecretLifetime, leases,
                endpoint, callTimeout, newDeployment);
    }

    /** How a compute environment's secrets are written; without settings of its own and a binding required, nowhere. */
    public GoogleEnvironmentSettings settingsFor(String computeEnvId) {
        GoogleEnvironmentSettings own = environments.get(computeEnvId);
        if (own != null) {
            return own;
        }
        return bindingRequired ? new GoogleEnvironmentSettings(defaults.ids(), defaults.bundle(), null, null, null) : defaults;
    }

    /**
     * Every distinct place (project, location, identity) a compute environment writes to, for the reconciler: the
     * defaults' when they name a project, and each compute environment's own.
     */
    public List<GoogleEnvironmentSettings> placesWritten() {
        Map<List<String>, GoogleEnvironmentSettings> places = new java.util.LinkedHashMap<>();
        java.util.stream.Stream.concat(java.util.stream.Stream.of(defaults), new TreeMap<>(environments).values().stream())
                .filter(settings -> settings.project() != null)
                .forEach(settings -> places.putIfAbsent(java.util.Arrays.asList(settings.project(), settings.location(),
                        settings.serviceAccount()), settings));
        return List.copyOf(places.values());
    }

    /** How long a secret of this compute environment lives at most: its runs' lease, else the configured lifetime. */
    public Duration secretLifetime(String computeEnvId) {
        return leases.lifetimeOf(computeEnvId).orElse(maxSecretLifetime);
    }

    public static String key(String computeEnvId, String setting) {
        return "google.compute-env." + computeEnvId + "." + setting;
    }

    private static List<String> problems(String instanceId, GoogleEnvironmentSettings defaults,
                                         Map<String, GoogleEnvironmentSettings> environments, Set<String> projects,
                                         Set<String> locations, Set<String> serviceAccounts, double writesPerMinute,
                                         double readsPerMinute, Duration maxSecretLifetime) {
        List<String> problems = new ArrayList<>();
        if (projects.isEmpty()) {
            problems.add("google.projects is empty: list the projects the service may write to");
        }
        new TreeMap<>(Map.of("google.projects", projects, "google.locations", locations,
                "google.service-accounts", serviceAccounts)).forEach((key, values) -> values.stream().sorted()
                .filter(value -> !(key.endsWith("projects") ? PROJECT : key.endsWith("locations") ? LOCATION
                        : SERVICE_ACCOUNT).matcher(value).matches())
                .forEach(value -> problems.add(key + ": '" + value + "' is not a " + (key.endsWith("projects")
                        ? "project id (6-30 lower-case letters, digits and hyphens)" : key.endsWith("locations")
                        ? "Secret Manager location such as europe-west4" : "service account e-mail such as"
                        + " name@project.iam.gserviceaccount.com"))));
        if (!(writesPerMinute > 0) || !(readsPerMinute > 0)) {
            problems.add("google.writes-per-minute and google.reads-per-minute must be above zero");
        }
        if (maxSecretLifetime.isNegative() || maxSecretLifetime.toSeconds() < 60) {
            problems.add("google.max-secret-lifetime (" + maxSecretLifetime + ") must be at least a minute");
        }
        if (!GoogleLabels.encode(instanceId).equals(instanceId)) {
            problems.add("instance.id '" + instanceId + "' is not a Google label value as it is (lower-case letters,"
                    + " digits, '-' and '_', at most 63); the reconciler filters on it literally");
        }
        check("google.project", defaults, projects, locations, serviceAccounts, problems);
        new TreeMap<>(environments).forEach((id, settings) -> check("google.compute-env." + id + ".*", settings,
                projects, locations, serviceAccounts, problems));
        return problems;
    }

    /** A gRPC endpoint is a host and port: anything else would fail every call, far from its cause. */
    private static java.util.Optional<String> endpointProblem(URI endpoint) {
        if (endpoint == null) {
            return java.util.Optional.empty();
        }
        boolean plain = "http".equals(endpoint.getScheme());
        boolean tls = "https".equals(endpoint.getScheme());
        String path = endpoint.getRawPath();
        if (!(plain || tls) || endpoint.getHost() == null || (plain && endpoint.getPort() < 0)
                || (path != null && !path.isEmpty() && !path.equals("/")) || endpoint.getRawQuery() != null) {
            return java.util.Optional.of("google.endpoint '" + endpoint + "' is not a Secret Manager endpoint: use"
                    + " http://HOST:PORT for a plain-text double, https://HOST[:PORT] for TLS, or leave it empty for Google's");
        }
        return java.util.Optional.empty();
    }

    private static void check(String where, GoogleEnvironmentSettings settings, Set<String> projects,
                              Set<String> locations, Set<String> serviceAccounts, List<String> problems) {
        if (settings.project() != null && !projects.contains(settings.project())) {
            problems.add(where + ": project " + settings.project() + " is not in google.projects; add it there too");
        }
        if (settings.location() != null && !locations.contains(settings.location())) {
            problems.add(where + ": location " + settings.location() + " is not in google.locations; add it there too");
        }
        if (settings.serviceAccount() != null && !serviceAccounts.contains(settings.serviceAccount())) {
            problems.add(where + ": service account " + settings.serviceAccount() + " is not in"
                    + " google.service-accounts; add it there too");
        }
    }
}
