package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;

import java.util.ArrayList;
import java.util.List;

/** A secrets view for tests: add secrets, then resolve against them. Deliberately returns only the asked owner's. */
public final class InMemorySecretSource implements SecretSource {

    private final List<Secret> secrets = new ArrayList<>();

    public InMemorySecretSource workspace(String workspaceId, String name, String value) {
        return put(new Secret(Scope.WORKSPACE, workspaceId, name, 1, SecretValue.of(value)));
    }

    public InMemorySecretSource user(String userId, String name, String value) {
        return put(new Secret(Scope.USER, userId, name, 1, SecretValue.of(value)));
    }

    public InMemorySecretSource put(Secret secret) {
        secrets.removeIf(s -> s.scope() == secret.scope() && s.ownerId().equals(secret.ownerId())
                && s.name().equals(secret.name()));
        secrets.add(secret);
        return this;
    }

    public InMemorySecretSource remove(Scope scope, String ownerId, String name) {
        secrets.removeIf(s -> s.scope() == scope && s.ownerId().equals(ownerId) && s.name().equals(name));
        return this;
    }

    @Override
    public List<Secret> secretsOf(Scope scope, String ownerId) {
        return secrets.stream().filter(s -> s.scope() == scope && s.ownerId().equals(ownerId)).toList();
    }
}
