package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.secrets.Scope;

import java.util.Objects;

/** One secret of a run's manifest: which secret, what the backend did with it, and where it lives. No value. */
public record ManifestEntry(String name, Scope scope, long version, EntryStatus status, String backendRef,
                            String lastErrorCode) {

    public ManifestEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(status, "status");
    }

    static ManifestEntry pending(String name, Scope scope, long version) {
        return new ManifestEntry(name, scope, version, EntryStatus.PENDING, null, null);
    }

    ManifestEntry withStatus(EntryStatus newStatus, String newBackendRef, String errorCode) {
        return new ManifestEntry(name, scope, version, newStatus, newBackendRef == null ? backendRef : newBackendRef,
                errorCode);
    }
}
