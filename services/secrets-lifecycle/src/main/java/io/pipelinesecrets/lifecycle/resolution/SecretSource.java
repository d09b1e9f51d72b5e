package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.List;

/** Current secrets of one owner, as the service's view of the secrets topic holds them. */
@FunctionalInterface
public interface SecretSource {

    List<Secret> secretsOf(Scope scope, String ownerId);
}
