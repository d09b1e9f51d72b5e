package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.lifecycle.resolution.SecretSource;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretRecordRules;
import io.pipelinesecrets.serde.UndecodableRecordException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The secrets of one owner, read from the global store with one prefix scan. The store holds the topic's records
 * verbatim, so every entry is decoded and checked here: a malformed entry is skipped (the validation topology
 * sends it to the dead-letter queue and audits it), never handed to a run.
 */
final class SecretCatalog implements SecretSource {

    private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

    private final ReadOnlyKeyValueStore<String, byte[]> store;
    private final Deserializer<SecretRecord> records;
    private final String topic;

    SecretCatalog(ReadOnlyKeyValueStore<String, byte[]> store, Deserializer<SecretRecord> records, String topic) {
        this.store = store;
        this.records = records;
        this.topic = topic;
    }

    @Override
    public List<Secret> secretsOf(Scope scope, String ownerId) {
        return secretsOf(scope, ownerId, Integer.MAX_VALUE - 1);
    }

    /** Stops after {@code limit} + 1 usable secrets: an owner with thousands costs no more than that to refuse. */
    @Override
    public List<Secret> secretsOf(Scope scope, String ownerId, int limit) {
        Optional<String> prefix = prefixOf(scope, ownerId);
        if (prefix.isEmpty()) {
            return List.of();
        }
        List<Secret> secrets = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> entries = store.prefixScan(prefix.get(), PREFIX_SERIALIZER)) {
            while (entries.hasNext() && secrets.size() <= limit) {
                KeyValue<String, byte[]> entry = entries.next();
                usable(entry.key, entry.value).ifPresent(secrets::add);
            }
        }
        return secrets;
    }

    /** One key of the store, looked up directly. */
    @Override
    public Optional<Secret> secret(Scope scope, String ownerId, String name) {
        return prefixOf(scope, ownerId).flatMap(prefix -> usable(prefix + name, store.get(prefix + name)));
    }

    private static Optional<String> prefixOf(Scope scope, String ownerId) {
        SecretScope keyScope = scope == Scope.USER ? SecretScope.USER : SecretScope.WORKSPACE;
        try {
            return Optional.of(SecretKey.ownerPrefix(keyScope, ownerId));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<Secret> usable(String key, byte[] value) {
        SecretRecordRules.KeyCheck keyCheck = SecretRecordRules.parseKey(key);
        if (!keyCheck.valid() || value == null) {
            return Optional.empty();
        }
        SecretRecord record;
        try {
            record = RecordDecoding.decode(records, topic, null, value);
        } catch (UndecodableRecordException undecodable) {
            // A registry that cannot answer is different: that propagates, so no run is resolved with a secret
            // missing merely because the registry was briefly down.
            return Optional.empty();
        }
        if (SecretRecordRules.problem(keyCheck.key(), record).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(SecretRecordRules.toSecret(keyCheck.key(), record));
    }
}
