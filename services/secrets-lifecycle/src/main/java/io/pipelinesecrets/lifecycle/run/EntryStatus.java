package io.pipelinesecrets.lifecycle.run;

/** What the service knows about one secret of a run's manifest. */
public enum EntryStatus {
    /** Asked for (or about to be); the backend may or may not hold it. */
    PENDING,
    /** The backend confirmed it holds the secret. */
    CREATED,
    /** The backend refused it permanently: it is certainly not there (and may belong to someone else). */
    REFUSED,
    /** The backend confirmed it is gone. */
    DELETED;

    /**
     * Whether a release must delete it. A refused secret is never deleted: a refusal such as "name exists and
     * is not ours" means deleting it would destroy what another system owns.
     */
    public boolean needsDelete() {
        return this == PENDING || this == CREATED;
    }
}
