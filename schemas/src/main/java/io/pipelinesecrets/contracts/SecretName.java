package io.pipelinesecrets.contracts;

import java.util.Optional;

/**
 * The platform's rule for secret names, shared with Nextflow:
 * {@code ^[a-zA-Z_](?:[0-9A-Za-z]+|(_)(?!\1)){1,49}$}, not starting with {@code __}, at most 100 characters.
 *
 * <p>The rule is checked by a linear scan rather than by that regular expression: the expression nests a
 * {@code +} inside a bounded repetition, so a long name that fails late makes Java's backtracking matcher
 * take exponential time — a poison record could stall a stream thread. {@code SecretNameTest} proves the scan
 * and the expression agree on every short string over the relevant alphabet.
 */
public final class SecretName {

    /** The platform API's limit; the expression alone admits longer names. */
    public static final int MAX_LENGTH = 100;

    /** The expression's {@code {1,49}}: at most this many alphanumeric runs and single underscores after the first character. */
    private static final int MAX_TOKENS_AFTER_FIRST = 49;

    private SecretName() {
    }

    public static boolean isValid(String name) {
        return problem(name).isEmpty();
    }

    /** Returns the name if valid, else throws {@link IllegalArgumentException} saying which part of the rule it breaks. */
    public static String require(String name) {
        problem(name).ifPresent(p -> {
            throw new IllegalArgumentException("invalid secret name " + SafeText.quoted(name) + ": " + p);
        });
        return name;
    }

    /** Why the name breaks the rule, or empty when it does not. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("a name is required");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("longer than " + MAX_LENGTH + " characters");
        }
        if (name.length() < 2) {
            return Optional.of("shorter than 2 characters");
        }
        if (!isLetter(name.charAt(0)) && name.charAt(0) != '_') {
            return Optional.of("must start with a letter or '_'");
        }
        if (name.startsWith("__")) {
            return Optional.of("must not start with '__'");
        }
        int tokens = 0;
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                if (i + 1 < name.length() && name.charAt(i + 1) == '_') {
                    return Optional.of("must not contain '__'");
                }
                tokens++;
            } else if (isLetter(c) || isDigit(c)) {
                boolean startsAlphanumericRun = i == 1 || name.charAt(i - 1) == '_';
                if (startsAlphanumericRun) {
                    tokens++;
                }
            } else {
                return Optional.of("may contain only letters, digits and '_' (found " + SafeText.quoted(String.valueOf(c)) + ")");
            }
        }
        if (tokens > MAX_TOKENS_AFTER_FIRST) {
            return Optional.of("more than " + MAX_TOKENS_AFTER_FIRST + " underscore-separated parts");
        }
        return Optional.empty();
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
