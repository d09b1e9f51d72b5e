package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.contracts.SafeText;

import java.util.Optional;

/** Secrets Manager's rule for names, checked before any call so a bad template fails fast and clearly. */
final class SecretNames {

    static final int MAX_LENGTH = 512;

    private SecretNames() {
    }

    static Optional<String> problem(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return Optional.of("secret name must be 1 to " + MAX_LENGTH + " characters: " + SafeText.quoted(name));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "/_+=.@-".indexOf(c) >= 0;
            if (!allowed) {
                return Optional.of("secret name " + SafeText.quoted(name) + " has " + SafeText.quoted(String.valueOf(c))
                        + "; Secrets Manager allows letters, digits and /_+=.@-");
            }
        }
        return Optional.empty();
    }
}
