package io.pipelinesecrets.lifecycle.secrets;

import java.util.Objects;

/** One secret as stored on the secrets topic, with its value wrapped. Printing it never prints the value. */
public record Secret(Scope scope, String ownerId, String name, long version, SecretValue value) {

    public Secret {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
