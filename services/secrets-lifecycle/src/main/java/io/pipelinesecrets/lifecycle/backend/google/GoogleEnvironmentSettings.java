package io.pipelinesecrets.lifecycle.backend.google;

import java.util.Objects;

/**
 * Where and how the secrets of one compute environment (or, as the default, of every Google compute environment)
 * are written. Every part comes from the configuration, none from the launch event: the event names its compute
 * environment, and the configuration alone decides the project, location and identity that serve it.
 *
 * @param ids            secret ids per secret ({@code tower-{runId}-{name}}) and of the bundle ({@code tower-{runId}})
 * @param bundle         one JSON secret per run holding every name (1 create, 1 version and 1 delete instead of 3N)
 * @param project        the project the secrets are written to, or null when none is configured (runs then fail
 *                       {@code PROJECT_MISSING})
 * @param location       the location of regional secrets, or null for global ones with automatic replication
 * @param serviceAccount the service account to impersonate, or null for the service's own credentials
 */
public record GoogleEnvironmentSettings(GoogleSecretIds ids, boolean bundle, String project, String location,
                                        String serviceAccount) {

    public GoogleEnvironmentSettings {
        Objects.requireNonNull(ids, "ids");
        if (!bundle && !ids.template().contains("{name}")) {
            throw new IllegalArgumentException("google secret id template '" + ids.template()
                    + "' must contain {name} unless bundle mode is on");
        }
    }

    /** The resource under which the secrets are created: {@code projects/<p>} or {@code projects/<p>/locations/<l>}. */
    public String parent() {
        return location == null ? "projects/" + project : "projects/" + project + "/locations/" + location;
    }

    public String secretName(String runId, String name) {
        return parent() + "/secrets/" + ids.of(runId, name);
    }

    public String bundleName(String runId) {
        return parent() + "/secrets/" + ids.bundleOf(runId);
    }
}
