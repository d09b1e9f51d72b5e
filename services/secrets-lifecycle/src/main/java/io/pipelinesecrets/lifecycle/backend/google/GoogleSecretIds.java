package io.pipelinesecrets.lifecycle.backend.google;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Secret ids from a template, by default the platform's {@code tower-{runId}-{name}}. Secret Manager ids allow
 * letters, digits, {@code _} and {@code -}, at most 255 characters; a run id may also hold {@code .}, which no
 * substitution could map without making two runs share an id, so such an id is refused before any call.
 */
public record GoogleSecretIds(String template) {

    public static final String DEFAULT_TEMPLATE = "tower-{runId}-{name}";
    public static final int MAX_LENGTH = 255;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    public GoogleSecretIds {
        if (!template.contains("{runId}")) {
            throw new IllegalArgumentException("the secret id template must contain {runId}, so that runs never"
                    + " share a secret: " + template);
        }
    }

    /** The id of one secret of a run (per-secret mode); the template must then contain {name}. */
    public String of(String runId, String name) {
        return template.replace("{runId}", runId).replace("{name}", name);
    }

    /** The id of a run's bundle: the template with {name} and the separator before it removed. */
    public String bundleOf(String runId) {
        return template.replaceAll("[-_]?\\{name}", "").replace("{runId}", runId);
    }

    /** Why {@code id} is not a valid Secret Manager id, or empty when it is. */
    public static Optional<String> problem(String id) {
        if (VALID.matcher(id).matches()) {
            return Optional.empty();
        }
        return Optional.of(id.length() > MAX_LENGTH
                ? "secret id is longer than " + MAX_LENGTH + " characters"
                : "secret id may contain only letters, digits, '_' and '-'");
    }
}
