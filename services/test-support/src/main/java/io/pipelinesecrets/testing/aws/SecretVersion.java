package io.pipelinesecrets.testing.aws;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One version of a secret: its id (the {@code ClientRequestToken} that created it), payload and staging labels. */
public record SecretVersion(String versionId, SecretValue value, List<String> stages, Instant createdDate) {

    public static final String CURRENT = "AWSCURRENT";
    public static final String PREVIOUS = "AWSPREVIOUS";

    public SecretVersion {
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(value, "value");
        stages = List.copyOf(stages);
        Objects.requireNonNull(createdDate, "createdDate");
    }

    public boolean hasStage(String stage) {
        return stages.contains(stage);
    }

    SecretVersion withStages(List<String> newStages) {
        return new SecretVersion(versionId, value, newStages, createdDate);
    }
}
