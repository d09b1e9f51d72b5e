package io.pipelinesecrets.lifecycle.backend.aws;

import java.util.Objects;

/**
 * How secrets of one compute environment (or, as the default, of every AWS compute environment) are written.
 *
 * @param nameTemplate   secret name per secret; {@code {runId}} and {@code {name}} are replaced. In bundle mode the
 *                       bundle is named by the template with {@code /{name}} removed ({@code tower-{runId}})
 * @param bundle         one JSON secret per run holding every name (1 create and 1 delete instead of N)
 * @param kmsKeyId       KMS key for encryption, or null for the account's default key
 * @param description    description set on every secret, or null
 */
public record AwsEnvironmentSettings(String nameTemplate, boolean bundle, String kmsKeyId, String description) {

    public static final String DEFAULT_NAME_TEMPLATE = "tower-{runId}/{name}";
    public static final AwsEnvironmentSettings DEFAULTS =
            new AwsEnvironmentSettings(DEFAULT_NAME_TEMPLATE, false, null, "Workflow run secret, deleted when the run completes");

    public AwsEnvironmentSettings {
        Objects.requireNonNull(nameTemplate, "nameTemplate");
        if (!nameTemplate.contains("{runId}")) {
            throw new IllegalArgumentException("aws name template '" + nameTemplate
                    + "' must contain {runId}: secrets of different runs would collide");
        }
        if (!bundle && !nameTemplate.contains("{name}")) {
            throw new IllegalArgumentException("aws name template '" + nameTemplate
                    + "' must contain {name} unless bundle mode is on");
        }
    }

    public String secretName(String runId, String name) {
        return nameTemplate.replace("{runId}", runId).replace("{name}", name);
    }

    public String bundleName(String runId) {
        return nameTemplate.replace("/{name}", "").replace("{name}", "").replace("{runId}", runId);
    }
}
