package io.pipelinesecrets.lifecycle.port;

import java.time.Instant;
import java.util.Objects;

/**
 * Something a backend holds with this service's managed-by mark, as the reconciler lists it: which run it says it
 * belongs to, where it is, and since when. Never its content.
 *
 * @param ref       what deleting it needs: the secret's ARN, or the run directory
 * @param createdAt when it appeared, for the reconciler's grace period
 * @param where     the run id and the location fields needed to reach it again (region and role, or secrets path)
 */
public record OwnedEntry(String backend, String runId, String ref, Instant createdAt, RunTarget where) {

    public OwnedEntry {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(where, "where");
    }
}
