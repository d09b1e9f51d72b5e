package io.pipelinesecrets.lifecycle.it;

import java.util.Locale;

/**
 * How big the fault suites run. Every {@code mvn verify} runs them reduced (seconds each, a few faults); the
 * {@code faults} profile sets {@code -Dfaults.size=full} (thousands of runs, tens of faults, minutes).
 */
enum FaultSize {
    REDUCED,
    FULL;

    static final String PROPERTY = "faults.size";

    static FaultSize current() {
        String requested = System.getProperty(PROPERTY, "reduced").trim().toLowerCase(Locale.ROOT);
        return switch (requested) {
            case "reduced", "" -> REDUCED;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + requested + " is not reduced or full");
        };
    }

    <T> T pick(T reduced, T full) {
        return this == FULL ? full : reduced;
    }
}
