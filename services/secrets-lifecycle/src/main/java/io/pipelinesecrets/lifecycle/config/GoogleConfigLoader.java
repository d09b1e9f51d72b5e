package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.pipelinesecrets.lifecycle.config.ServiceKeys.COMPUTE_ENV_GOOGLE_BUNDLE;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.COMPUTE_ENV_GOOGLE_LOCATION;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.COMPUTE_ENV_GOOGLE_PROJECT;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.COMPUTE_ENV_GOOGLE_SECRET_ID_TEMPLATE;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.COMPUTE_ENV_GOOGLE_SERVICE_ACCOUNT;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_BUNDLE;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_CALL_TIMEOUT;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_ENDPOINT;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_LOCATION;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_LOCATIONS;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_MAX_SECRET_LIFETIME;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_PROJECT;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_PROJECTS;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_READS_PER_MINUTE;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_REQUIRE_BINDING;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_SECRET_ID_TEMPLATE;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_SERVICE_ACCOUNTS;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.GOOGLE_WRITES_PER_MINUTE;
import static io.pipelinesecrets.lifecycle.config.ServiceKeys.INSTANCE_ID;

/** The Google Secret Manager backend's part of the configuration: on when {@code google.projects} lists a project. */
final class GoogleConfigLoader {

    private GoogleConfigLoader() {
    }

    /** The backend's configuration, or empty when it is off or a problem was reported to {@code values}. */
    static Optional<GoogleBackendConfig> load(ConfigValues values, LeasePolicy leases) {
        Map<String, String> projects = values.perComputeEnv(COMPUTE_ENV_GOOGLE_PROJECT);
        Map<String, String> locations = values.perComputeEnv(COMPUTE_ENV_GOOGLE_LOCATION);
        Map<String, String> serviceAccounts = values.perComputeEnv(COMPUTE_ENV_GOOGLE_SERVICE_ACCOUNT);
        Map<String, String> templates = values.perComputeEnv(COMPUTE_ENV_GOOGLE_SECRET_ID_TEMPLATE);
        Map<String, Boolean> bundles = values.perComputeEnv(COMPUTE_ENV_GOOGLE_BUNDLE);
        List<Map<String, ?>> overrides = List.of(projects, locations, serviceAccounts, templates, bundles);
        List<String> allowedProjects = values.find(GOOGLE_PROJECTS).orElse(List.of());
        if (allowedProjects.isEmpty()) {
            if (overrides.stream().anyMatch(map -> !map.isEmpty()) || values.isSet(GOOGLE_PROJECT)) {
                values.problem("google.project or google.compute-env.* settings are given but google.projects is empty;"
                        + " list the projects there to turn the Google Secret Manager backend on");
            }
            return Optional.empty();
        }
        Boolean bundle = values.get(GOOGLE_BUNDLE);
        Boolean required = values.get(GOOGLE_REQUIRE_BINDING);
        Duration lifetime = values.get(GOOGLE_MAX_SECRET_LIFETIME);
        Double writes = values.get(GOOGLE_WRITES_PER_MINUTE);
        Double reads = values.get(GOOGLE_READS_PER_MINUTE);
        Duration callTimeout = values.get(GOOGLE_CALL_TIMEOUT);
        Optional<URI> endpoint = values.find(GOOGLE_ENDPOINT);
        if (values.hasProblems()) {
            return Optional.empty();
        }
        try {
            GoogleEnvironmentSettings defaults = new GoogleEnvironmentSettings(
                    new GoogleSecretIds(values.get(GOOGLE_SECRET_ID_TEMPLATE)), bundle,
                    emptyToNull(values.text(GOOGLE_PROJECT)), emptyToNull(values.text(GOOGLE_LOCATION)), null);
            Set<String> ids = new TreeSet<>();
            overrides.forEach(map -> ids.addAll(map.keySet()));
            Map<String, GoogleEnvironmentSettings> environments = new TreeMap<>();
            for (String id : ids) {
                String project = projects.containsKey(id) ? emptyToNull(projects.get(id))
                        : required ? null : defaults.project();
                environments.put(id, new GoogleEnvironmentSettings(
                        new GoogleSecretIds(templates.getOrDefault(id, defaults.ids().template())),
                        bundles.getOrDefault(id, defaults.bundle()), project,
                        locations.containsKey(id) ? emptyToNull(locations.get(id)) : defaults.location(),
                        emptyToNull(serviceAccounts.get(id))));
            }
            return Optional.of(new GoogleBackendConfig(values.text(INSTANCE_ID), defaults, environments,
                    Set.copyOf(allowedProjects), Set.copyOf(values.find(GOOGLE_LOCATIONS).orElse(List.of())),
                    Set.copyOf(values.find(GOOGLE_SERVICE_ACCOUNTS).orElse(List.of())), required, writes, reads,
                    lifetime, leases, endpoint.orElse(null), callTimeout, null));
        } catch (GoogleBackendConfig.Invalid e) {
            e.problems().forEach(values::problem);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            values.problem(e.getMessage());
            return Optional.empty();
        }
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
