package io.pipelinesecrets.lifecycle.run;

/** How far the service's view of the secrets topic has got: what read-your-writes waits on. */
@FunctionalInterface
public interface SecretsProgress {

    /** A view that is always up to date: for callers that never wait (tests of other rules). */
    SecretsProgress CURRENT = position -> true;

    boolean hasApplied(SecretsPosition position);
}
