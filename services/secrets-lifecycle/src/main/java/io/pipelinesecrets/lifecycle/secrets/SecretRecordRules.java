package io.pipelinesecrets.lifecycle.secrets;

import io.pipelinesecrets.contracts.MalformedSecretKeyException;
import io.pipelinesecrets.contracts.SafeText;
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
    /** Who last changed a secret is a platform user id; bounded like owner ids, with room for e-mail addresses. */
    public static final int MAX_UPDATED_BY_LENGTH = 256;
    /**
     * The largest a legal record can be in the Confluent wire format: the 5-byte frame, then every field at its
     * bound (a string is a length varint of at most 5 bytes and at most 3 UTF-8 bytes per Java char), with the value
     * at {@link #MAX_VALUE_BYTES}. Anything larger is rejected without being decoded and is never kept in memory.
     * Adding a field to SecretRecord means adding its bound here ({@code SecretRecordRulesTest} writes a record at
     * every bound and checks it fits).
     */
    public static final int MAX_RECORD_BYTES = 5
            + 5                                                  // scope (enum index)
            + 5 + 3 * SecretKey.MAX_OWNER_ID_LENGTH              // ownerId
            + 5 + SecretName.MAX_LENGTH                          // name (ASCII)
            + 5 + MAX_VALUE_BYTES                                // value
            + 10 + 10                                            // version, updatedAt
            + 5 + 3 * MAX_UPDATED_BY_LENGTH;                     // updatedBy

    private SecretRecordRules() {
    }

    /** Checks a record whose key already parsed. */
    public static Optional<String> problem(SecretKey key, SecretRecord record) {
        if (record.getScope() != key.scope()) {
            return Optional.of("scope " + record.getScope() + " does not match key scope " + key.scope());
        }
        if (!key.ownerId().equals(record.getOwnerId())) {
            return Optional.of("owner " + SafeText.quoted(record.getOwnerId()) + " does not match key owner "
                    + SafeText.quoted(key.ownerId()));
        }
        if (!key.name().equals(record.getName())) {
            return Optional.of("name " + SafeText.quoted(record.getName()) + " does not match key name "
                    + SafeText.quoted(key.name()));
        }
        Optional<String> nameProblem = SecretName.problem(record.getName());
        if (nameProblem.isPresent()) {
            return nameProblem.map(p -> "invalid secret name " + SafeText.quoted(record.getName()) + ": " + p);
        }
        if (record.getUpdatedBy().length() > MAX_UPDATED_BY_LENGTH) {
            return Optional.of("updatedBy is longer than " + MAX_UPDATED_BY_LENGTH + " characters");
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
