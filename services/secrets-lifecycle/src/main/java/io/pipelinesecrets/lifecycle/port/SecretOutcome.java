package io.pipelinesecrets.lifecycle.port;

import java.util.Objects;

/** What a backend did with one secret of a run: done (with where it lives), or failed and why. */
public sealed interface SecretOutcome {

    String name();

    /** The secret exists in the backend (created now, or found created by an earlier identical call). */
    record Created(String name, String backendRef) implements SecretOutcome {
        public Created {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(backendRef, "backendRef");
        }
    }

    /** The secret no longer exists in the backend (deleted now, or already gone). */
    record Deleted(String name, String backendRef) implements SecretOutcome {
        public Deleted {
            Objects.requireNonNull(name, "name");
        }
    }

    record Failed(String name, BackendError error) implements SecretOutcome {
        public Failed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(error, "error");
        }
    }
}
