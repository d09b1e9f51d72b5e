package io.pipelinesecrets.lifecycle.secrets;

/** Who owns a secret. The run's merged set takes USER over WORKSPACE on a name clash. */
public enum Scope {
    WORKSPACE,
    USER
}
