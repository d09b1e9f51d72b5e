package io.pipelinesecrets.testing.aws;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of one secret as the double holds it. {@code description} and {@code kmsKeyId} may be null;
 * {@code deletedDate} (when DeleteSecret was called) and {@code deletionDate} (when the recovery window ends) are
 * null unless the secret is scheduled for deletion. Values print redacted (see {@link SecretValue}).
 */
public record SecretSnapshot(String name, String arn, String description, String kmsKeyId, Map<String, String> tags,
                             List<SecretVersion> versions, Instant createdDate, Instant lastChangedDate,
                             Instant deletedDate, Instant deletionDate) {

    public SecretSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arn, "arn");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        versions = List.copyOf(versions);
        Objects.requireNonNull(createdDate, "createdDate");
        Objects.requireNonNull(lastChangedDate, "lastChangedDate");
    }

    public boolean scheduledForDeletion() {
        return deletionDate != null;
    }

    public Optional<SecretVersion> version(String versionId) {
        return versions.stream().filter(v -> v.versionId().equals(versionId)).findFirst();
    }

    public Optional<SecretVersion> versionWithStage(String stage) {
        return versions.stream().filter(v -> v.hasStage(stage)).findFirst();
    }

    public Optional<SecretVersion> currentVersion() {
        return versionWithStage(SecretVersion.CURRENT);
    }

    public Optional<SecretValue> currentValue() {
        return currentVersion().map(SecretVersion::value);
    }

    /** Version id to staging labels, as DescribeSecret and ListSecrets report them. */
    public Map<String, List<String>> versionIdsToStages() {
        Map<String, List<String>> stages = new LinkedHashMap<>();
        versions.forEach(v -> stages.put(v.versionId(), v.stages()));
        return Collections.unmodifiableMap(stages);
    }

    SecretSnapshot withTags(Map<String, String> newTags, Instant changed) {
        return new SecretSnapshot(name, arn, description, kmsKeyId, newTags, versions, createdDate, changed,
                deletedDate, deletionDate);
    }

    SecretSnapshot withVersions(List<SecretVersion> newVersions, Instant changed) {
        return new SecretSnapshot(name, arn, description, kmsKeyId, tags, newVersions, createdDate, changed,
                deletedDate, deletionDate);
    }

    SecretSnapshot withDeletion(Instant newDeletedDate, Instant newDeletionDate) {
        return new SecretSnapshot(name, arn, description, kmsKeyId, tags, versions, createdDate, lastChangedDate,
                newDeletedDate, newDeletionDate);
    }
}
