package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.aws.SecretCall.Outcome;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * The secrets and Secrets Manager's rules about them: idempotent creates, versions and staging labels, scheduled
 * and asynchronous force deletion, ARN resolution. Arguments arrive validated; JSON is someone else's business.
 * One lock guards everything (a test double needs correctness more than throughput); snapshots handed out are
 * immutable, so callers render them without the lock. Expired deletions are purged lazily on every access.
 */
final class SecretStore {

    static final String DELETION_SCHEDULED_MESSAGE =
            "You can't perform this operation on the secret because it was marked for deletion.";
    private static final String NAME_BLOCKED_MESSAGE =
            "You can't create this secret because a secret with this name is already scheduled for deletion.";
    private static final String SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    record NewSecret(String name, String token, SecretValue value, String description, String kmsKeyId,
                     Map<String, String> tags) {
    }

    record Created(SecretSnapshot secret, String versionId, boolean replay) {
    }

    record Put(SecretSnapshot secret, SecretVersion version) {
    }

    record Deleted(String name, String arn, Instant deletionDate, Outcome outcome) {
    }

    /** What the store keeps besides the snapshot: what an idempotent create replay is compared with, and lag. */
    private record Entry(SecretSnapshot secret, String createToken, SecretValue createValue, Instant listedFrom) {
        Entry with(SecretSnapshot changed) {
            return new Entry(changed, createToken, createValue, listedFrom);
        }
    }

    private final String arnPrefix;
    private final Duration forceDeleteDelay;
    private final Duration listLag;
    private final Clock clock;
    private final Random random = new SecureRandom();
    private final TreeMap<String, Entry> entries = new TreeMap<>();
    /** Names whose force delete is still "in progress", with the instant they become free. */
    private final Map<String, Instant> purging = new LinkedHashMap<>();

    SecretStore(DoubleSettings settings, Clock clock) {
        this.arnPrefix = "arn:aws:secretsmanager:" + settings.region() + ":" + settings.account() + ":secret:";
        this.forceDeleteDelay = settings.forceDeleteDelay();
        this.listLag = settings.listSecretsLag();
        this.clock = clock;
    }

    synchronized Created create(NewSecret request) {
        Instant now = purgeExpired();
        Entry existing = entries.get(request.name());
        if (purging.containsKey(request.name()) || existing != null && existing.secret().scheduledForDeletion()) {
            throw ServiceError.invalidRequest(NAME_BLOCKED_MESSAGE);
        }
        if (existing != null) {
            if (!existing.createToken().equals(request.token())) {
                throw ServiceError.resourceExists(
                        "The operation failed because the secret " + request.name() + " already exists.");
            }
            if (!Objects.equals(existing.createValue(), request.value())) {
                throw ServiceError.resourceExists("You can't modify an existing version, you can only create new "
                        + "versions. A version with ClientRequestToken " + request.token() + " already exists.");
            }
            return new Created(existing.secret(), versionIdOf(existing), true);
        }
        List<SecretVersion> versions = request.value() == null ? List.of()
                : List.of(new SecretVersion(request.token(), request.value(), List.of(SecretVersion.CURRENT), now));
        SecretSnapshot secret = new SecretSnapshot(request.name(), arnPrefix + request.name() + "-" + randomSuffix(),
                request.description(), request.kmsKeyId(), request.tags(), versions, now, now, null, null);
        Entry entry = new Entry(secret, request.token(), request.value(), now.plus(listLag));
        entries.put(request.name(), entry);
        return new Created(secret, versionIdOf(entry), false);
    }

    synchronized Put put(String secretId, String token, SecretValue value, List<String> stages) {
        Instant now = purgeExpired();
        Entry entry = live(secretId);
        SecretSnapshot secret = entry.secret();
        Optional<SecretVersion> existing = secret.version(token);
        if (existing.isPresent()) {
            if (!existing.get().value().equals(value)) {
                throw ServiceError.resourceExists("You can't modify an existing version, you can only create new "
                        + "versions. A version with ClientRequestToken " + token + " already exists.");
            }
            return new Put(secret, existing.get());
        }
        List<String> labels = stages.isEmpty() ? List.of(SecretVersion.CURRENT) : stages;
        boolean movesCurrent = labels.contains(SecretVersion.CURRENT);
        List<SecretVersion> versions = new ArrayList<>();
        for (SecretVersion version : secret.versions()) {
            List<String> kept = new ArrayList<>(version.stages());
            kept.removeAll(labels);
            if (movesCurrent) {
                kept.remove(SecretVersion.PREVIOUS);
                if (version.hasStage(SecretVersion.CURRENT)) {
                    kept.add(SecretVersion.PREVIOUS);
                }
            }
            // A version without labels is deprecated; the real service drops it eventually, the double at once.
            if (!kept.isEmpty()) {
                versions.add(version.withStages(kept));
            }
        }
        SecretVersion added = new SecretVersion(token, value, labels, now);
        versions.add(added);
        SecretSnapshot changed = secret.withVersions(versions, now);
        entries.put(secret.name(), entry.with(changed));
        return new Put(changed, added);
    }

    synchronized Deleted delete(String secretId, boolean force, int recoveryWindowDays) {
        Instant now = purgeExpired();
        Entry entry = resolve(secretId);
        if (entry == null) {
            if (!force) {
                throw ServiceError.notFound();
            }
            // The real service answers 200 here: a force delete is a request, not a check.
            String name = secretId.startsWith(arnPrefix) ? secretId.substring(arnPrefix.length()) : secretId;
            String arn = secretId.startsWith("arn:") ? secretId : arnPrefix + secretId;
            return new Deleted(name, arn, now, Outcome.NOTHING_TO_DELETE);
        }
        SecretSnapshot secret = entry.secret();
        if (force) {
            entries.remove(secret.name());
            purging.put(secret.name(), now.plus(forceDeleteDelay));
            return new Deleted(secret.name(), secret.arn(), now, Outcome.FORCE_DELETED);
        }
        if (secret.scheduledForDeletion()) {
            throw ServiceError.invalidRequest(DELETION_SCHEDULED_MESSAGE);
        }
        Instant deletionDate = now.plus(Duration.ofDays(recoveryWindowDays));
        entries.put(secret.name(), entry.with(secret.withDeletion(now, deletionDate)));
        return new Deleted(secret.name(), secret.arn(), deletionDate, Outcome.DELETION_SCHEDULED);
    }

    synchronized SecretSnapshot restore(String secretId) {
        purgeExpired();
        Entry entry = existing(secretId);
        SecretSnapshot restored = entry.secret().withDeletion(null, null);
        entries.put(restored.name(), entry.with(restored));
        return restored;
    }

    /** Any existing secret, scheduled for deletion or not (DescribeSecret). */
    synchronized SecretSnapshot describe(String secretId) {
        purgeExpired();
        return existing(secretId).secret();
    }

    /** A secret not scheduled for deletion (GetSecretValue and the other operations that need one). */
    synchronized SecretSnapshot liveSecret(String secretId) {
        purgeExpired();
        return live(secretId).secret();
    }

    synchronized SecretSnapshot tag(String secretId, Map<String, String> tags, int maxTags) {
        Instant now = purgeExpired();
        Entry entry = live(secretId);
        Map<String, String> merged = new LinkedHashMap<>(entry.secret().tags());
        merged.putAll(tags);
        if (merged.size() > maxTags) {
            throw ServiceError.validation("A secret can have at most " + maxTags + " tags; this request would give "
                    + merged.size() + ".");
        }
        SecretSnapshot changed = entry.secret().withTags(merged, now);
        entries.put(changed.name(), entry.with(changed));
        return changed;
    }

    synchronized SecretSnapshot untag(String secretId, List<String> keys) {
        Instant now = purgeExpired();
        Entry entry = live(secretId);
        Map<String, String> remaining = new LinkedHashMap<>(entry.secret().tags());
        keys.forEach(remaining::remove);
        SecretSnapshot changed = entry.secret().withTags(remaining, now);
        entries.put(changed.name(), entry.with(changed));
        return changed;
    }

    /**
     * What ListSecrets can see, ordered by name: secrets past the listing lag, and those scheduled for deletion
     * only if asked.
     */
    synchronized List<SecretSnapshot> listable(boolean includePlannedDeletion) {
        Instant now = purgeExpired();
        return entries.values().stream()
                .filter(e -> !now.isBefore(e.listedFrom()))
                .map(Entry::secret)
                .filter(s -> includePlannedDeletion || !s.scheduledForDeletion())
                .toList();
    }

    synchronized Optional<SecretSnapshot> byName(String name) {
        purgeExpired();
        return Optional.ofNullable(entries.get(name)).map(Entry::secret);
    }

    synchronized List<String> liveNames() {
        purgeExpired();
        return entries.values().stream().map(Entry::secret).filter(s -> !s.scheduledForDeletion())
                .map(SecretSnapshot::name).toList();
    }

    synchronized void clear() {
        entries.clear();
        purging.clear();
    }

    private Entry existing(String secretId) {
        Entry entry = resolve(secretId);
        if (entry == null) {
            throw ServiceError.notFound();
        }
        return entry;
    }

    private Entry live(String secretId) {
        Entry entry = existing(secretId);
        if (entry.secret().scheduledForDeletion()) {
            throw ServiceError.invalidRequest(DELETION_SCHEDULED_MESSAGE);
        }
        return entry;
    }

    /** A SecretId is a name, a full ARN, or a partial ARN (the ARN without its "-" and six-character suffix). */
    private Entry resolve(String secretId) {
        if (!secretId.startsWith("arn:")) {
            return entries.get(secretId);
        }
        for (Entry entry : entries.values()) {
            String arn = entry.secret().arn();
            if (arn.equals(secretId) || arn.substring(0, arn.length() - 7).equals(secretId)) {
                return entry;
            }
        }
        return null;
    }

    private Instant purgeExpired() {
        Instant now = clock.instant();
        purging.values().removeIf(freeAt -> !freeAt.isAfter(now));
        entries.values().removeIf(e -> e.secret().scheduledForDeletion() && !e.secret().deletionDate().isAfter(now));
        return now;
    }

    private static String versionIdOf(Entry entry) {
        return entry.createValue() == null ? null : entry.createToken();
    }

    private String randomSuffix() {
        StringBuilder suffix = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            suffix.append(SUFFIX_ALPHABET.charAt(random.nextInt(SUFFIX_ALPHABET.length())));
        }
        return suffix.toString();
    }
}
