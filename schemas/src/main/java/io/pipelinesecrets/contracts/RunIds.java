package io.pipelinesecrets.contracts;

import java.util.Optional;

/**
 * The rule for run ids the service accepts. A run id becomes part of backend names ({@code tower-<runId>/NAME})
 * and of filesystem paths ({@code <secretsPath>/<runId>/store.json}), so only characters safe in both are
 * allowed: letters, digits, '-', '_' and '.', starting with a letter or digit (which also excludes "." and
 * ".."), at most {@value #MAX_LENGTH} characters. Platform workflow ids (e.g. {@code 4Bi5xBK6E2Nbhj}) fit.
 */
public final class RunIds {

    public static final int MAX_LENGTH = 128;

    private RunIds() {
    }

    public static boolean isValid(String runId) {
        return problem(runId).isEmpty();
    }

    /** Why the run id is not acceptable, or empty when it is. The message quotes the id: ids are not secret. */
    public static Optional<String> problem(String runId) {
        if (runId == null || runId.isEmpty()) {
            return Optional.of("run id is empty");
        }
        if (runId.length() > MAX_LENGTH) {
            return Optional.of("run id is longer than " + MAX_LENGTH + " characters");
        }
        if (!isAlphanumeric(runId.charAt(0))) {
            return Optional.of("run id '" + SafeText.printable(runId) + "' must start with a letter or digit");
        }
        for (int i = 1; i < runId.length(); i++) {
            char c = runId.charAt(i);
            if (!isAlphanumeric(c) && c != '-' && c != '_' && c != '.') {
                return Optional.of("run id '" + SafeText.printable(runId)
                        + "' may contain only letters, digits, '-', '_' and '.'");
            }
        }
        return Optional.empty();
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
