package io.pipelinesecrets.lifecycle.secrets;

import io.pipelinesecrets.contracts.MalformedSecretKeyException;
import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.contracts.SecretName;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretScope;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * When a record of the secrets topic is one the service may use: a well-formed key, a value whose scope, owner
 * and name agree with the key, a valid name, and a value no secrets manager would refuse for size. Problems are
 * described without the value.
 */
public final class SecretRecordRules {

    /** AWS Secrets Manager's limit for SecretString, and a sane bound for a file store. */
    public static final int MAX_VALUE_BYTES = 65_536;

    private SecretRecordRules() {
    }

    /** Checks a record whose key already parsed. */
    public static Optional<String> problem(SecretKey key, SecretRecord record) {
        if (record.getScope() != key.scope()) {
            return Optional.of("scope " + record.getScope() + " does not match key scope " + key.scope());
        }
        if (!key.ownerId().equals(record.getOwnerId())) {
            return Optional.of("owner '" + record.getOwnerId() + "' does not match key owner '" + key.ownerId() + "'");
        }
        if (!key.name().equals(record.getName())) {
            return Optional.of("name '" + record.getName() + "' does not match key name '" + key.name() + "'");
        }
        Optional<String> nameProblem = SecretName.problem(record.getName());
        if (nameProblem.isPresent()) {
            return nameProblem.map(p -> "invalid secret name '" + record.getName() + "': " + p);
        }
        int size = record.getValue().getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_VALUE_BYTES) {
            return Optional.of("value is larger than " + MAX_VALUE_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /** The key, or the reason it is malformed. */
    public static KeyCheck parseKey(String key) {
        try {
            return new KeyCheck(SecretKey.parse(key), null);
        } catch (MalformedSecretKeyException e) {
            return new KeyCheck(null, e.getMessage());
        }
    }

    /** A valid record's content as the core sees it. */
    public static Secret toSecret(SecretKey key, SecretRecord record) {
        Scope scope = key.scope() == SecretScope.USER ? Scope.USER : Scope.WORKSPACE;
        return new Secret(scope, key.ownerId(), key.name(), record.getVersion(), SecretValue.of(record.getValue()));
    }

    public record KeyCheck(SecretKey key, String problem) {
        public boolean valid() {
            return key != null;
        }
    }
}
