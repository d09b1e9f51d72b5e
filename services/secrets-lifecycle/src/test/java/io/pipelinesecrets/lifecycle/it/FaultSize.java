package io.pipelinesecrets.lifecycle.it;

import java.util.Locale;

/**
 * How big the fault suites run ({@code -Dfaults.size}). Every {@code mvn verify} runs them smoke-sized: one round
 * of each fault, a few hundred runs, well under a minute each, so that the whole build stays within its time
 * budget. The {@code faults} profile ({@code mvn -B -Pfaults verify -pl services/secrets-lifecycle -am
 * -Dgroups=faults -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}) sets {@code -Dfaults.size=full}:
 * thousands of runs, tens of faults, minutes each.
 */
enum FaultSize {
    SMOKE,
    FULL;

    static final String PROPERTY = "faults.size";

    static FaultSize current() {
        String requested = System.getProperty(PROPERTY, "smoke").trim().toLowerCase(Locale.ROOT);
        return switch (requested) {
            // "reduced": the smoke size's former name.
            case "smoke", "reduced", "" -> SMOKE;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + requested + " is not smoke or full");
        };
    }

    <T> T pick(T smoke, T full) {
        return this == FULL ? full : smoke;
    }
}
