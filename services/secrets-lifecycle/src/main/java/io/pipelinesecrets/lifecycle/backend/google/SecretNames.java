package io.pipelinesecrets.lifecycle.backend.google;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Full Secret Manager secret names, {@code projects/<p>/secrets/<id>} or {@code projects/<p>/locations/<l>/secrets/<id>}. */
final class SecretNames {

    private static final Pattern NAME = Pattern.compile(
            "projects/([a-z][a-z0-9-]{4,28}[a-z0-9])(?:/locations/([a-z]+-[a-z]+[0-9]+))?/secrets/([A-Za-z0-9_-]{1,255})");

    private SecretNames() {
    }

    /** @param location null for a global secret */
    record Parsed(String full, String project, String location, String id) {
    }

    static Optional<Parsed> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        Matcher matcher = NAME.matcher(name);
        return matcher.matches() ? Optional.of(new Parsed(name, matcher.group(1), matcher.group(2), matcher.group(3)))
                : Optional.empty();
    }
}
