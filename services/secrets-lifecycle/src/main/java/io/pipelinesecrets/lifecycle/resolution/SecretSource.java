package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.List;
import java.util.Optional;

/** Current secrets of one owner, as the service's view of the secrets topic holds them. */
@FunctionalInterface
public interface SecretSource {

    List<Secret> secretsOf(Scope scope, String ownerId);

    /**
     * The owner's secrets, but no more than {@code limit} + 1 of them: enough to tell an owner with too many from one
     * within the limit without reading (and holding) all of an owner's secrets.
     */
    default List<Secret> secretsOf(Scope scope, String ownerId, int limit) {
        List<Secret> all = secretsOf(scope, ownerId);
        return all.size() > limit ? all.subList(0, limit + 1) : all;
    }

    /** One of the owner's secrets by name, for a launch that selects names: no need to read the others. */
    default Optional<Secret> secret(Scope scope, String ownerId, String name) {
        return secretsOf(scope, ownerId).stream().filter(secret -> secret.name().equals(name)).findFirst();
    }
}
