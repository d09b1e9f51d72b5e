package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.List;

/** The outcome of resolving a run's secret set. */
public sealed interface Resolution {

    /** The run's merged set: one secret per name, sorted by name. */
    record Resolved(List<Secret> secrets) implements Resolution {
        public Resolved {
            secrets = List.copyOf(secrets);
        }
    }

    /** The run cannot get its set; {@code code} is machine-readable, {@code reason} says what to fix. */
    record Unresolvable(String code, String reason) implements Resolution {
    }
}
