package io.pipelinesecrets.lifecycle.port;

import java.util.Objects;

/** One entry of a run's manifest as a backend needs it to delete: the name and where it was stored (may be null if unknown). */
public record StoredSecret(String name, String backendRef) {

    public StoredSecret {
        Objects.requireNonNull(name, "name");
    }
}
