package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.await.Await;
import io.pipelinesecrets.testing.aws.SecretCall.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Force deletion (asynchronous: the name stays blocked), recovery windows, restore, and SecretId forms. */
@Timeout(60)
class SecretsManagerDoubleDeletionTest {

    private static final Duration FORCE_DELETE_DELAY = Duration.ofMillis(300);

    private SecretsManagerDouble sm;
    private SecretsManagerClient client;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start(DoubleSettings.defaults().withForceDeleteDelay(FORCE_DELETE_DELAY));
        client = AwsClients.withoutRetries(sm);
    }

    @AfterEach
    void stop() {
        client.close();
        sm.close();
    }

    @Test
    void shouldBlockAForceDeletedNameForTheDelayAndThenFreeIt() {
        String oldArn = client.createSecret(b -> b.name("reused").secretString("one")).arn();
        Instant deletedAt = Instant.now();

        DeleteSecretResponse deleted = client.deleteSecret(b -> b.secretId("reused").forceDeleteWithoutRecovery(true));

        assertThat(deleted.arn()).isEqualTo(oldArn);
        assertThat(deleted.deletionDate()).isNotNull();
        assertThat(sm.liveSecretNames()).isEmpty();
        assertThatThrownBy(() -> client.createSecret(b -> b.name("reused").secretString("two")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("scheduled for deletion");

        Optional<CreateSecretResponse> recreated = Await.atMost(Duration.ofSeconds(5)).every(Duration.ofMillis(25))
                .until("the name 'reused' to be free again", () -> tryCreate("reused", "two"), Optional::isPresent);

        assertThat(Duration.between(deletedAt, Instant.now())).isGreaterThanOrEqualTo(FORCE_DELETE_DELAY);
        assertThat(recreated.orElseThrow().arn()).isNotEqualTo(oldArn)
                .startsWith(oldArn.substring(0, oldArn.length() - 6));
        assertThat(client.getSecretValue(b -> b.secretId("reused")).secretString()).isEqualTo("two");
        assertThat(sm.stats().calls()).extracting(SecretCall::outcome)
                .startsWith(Outcome.CREATED, Outcome.FORCE_DELETED, Outcome.FAILED)
                .endsWith(Outcome.CREATED);
    }

    @Test
    void shouldAcceptAForceDeleteOfASecretThatDoesNotExist() {
        DeleteSecretResponse deleted =
                client.deleteSecret(b -> b.secretId("never-was").forceDeleteWithoutRecovery(true));

        assertThat(deleted.name()).isEqualTo("never-was");
        assertThat(deleted.arn()).startsWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:never-was");
        assertThat(deleted.deletionDate()).isNotNull();
        assertThat(sm.stats().calls()).extracting(SecretCall::outcome).containsExactly(Outcome.NOTHING_TO_DELETE);
    }

    @Test
    void shouldAnswerNotFoundForAScheduledDeleteOfASecretThatDoesNotExist() {
        assertThatThrownBy(() -> client.deleteSecret(b -> b.secretId("never-was")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void shouldDeleteByPartialArn() {
        String arn = client.createSecret(b -> b.name("tower-run9/TOKEN").secretString("v")).arn();
        String partialArn = arn.substring(0, arn.length() - 7);
        assertThat(partialArn).endsWith(":secret:tower-run9/TOKEN");

        DeleteSecretResponse deleted =
                client.deleteSecret(b -> b.secretId(partialArn).forceDeleteWithoutRecovery(true));

        assertThat(deleted.name()).isEqualTo("tower-run9/TOKEN");
        assertThat(deleted.arn()).isEqualTo(arn);
        assertThat(sm.secret("tower-run9/TOKEN")).isEmpty();
        assertThat(sm.stats().calls()).last().extracting(SecretCall::outcome).isEqualTo(Outcome.FORCE_DELETED);
    }

    @Test
    void shouldDeleteByFullArn() {
        String arn = client.createSecret(b -> b.name("by-arn").secretString("v")).arn();

        client.deleteSecret(b -> b.secretId(arn).forceDeleteWithoutRecovery(true));

        assertThat(sm.liveSecretNames()).isEmpty();
    }

    @Test
    void shouldScheduleDeletionAfterTheRecoveryWindowAndHideTheSecretFromListingsUnlessAsked() {
        client.createSecret(b -> b.name("kept").secretString("v"));
        client.createSecret(b -> b.name("scheduled").secretString("v"));
        Instant now = Instant.now();

        DeleteSecretResponse deleted = client.deleteSecret(b -> b.secretId("scheduled").recoveryWindowInDays(7L));

        assertThat(deleted.deletionDate()).isBetween(now.plus(Duration.ofDays(7)).minusSeconds(5),
                now.plus(Duration.ofDays(7)).plusSeconds(5));
        assertThat(names(client.listSecrets(b -> { }).secretList())).containsExactly("kept");
        List<SecretListEntry> withPlanned = client.listSecrets(b -> b.includePlannedDeletion(true)).secretList();
        assertThat(names(withPlanned)).containsExactly("kept", "scheduled");
        assertThat(withPlanned.get(1).deletedDate()).isNotNull();
        assertThat(client.describeSecret(b -> b.secretId("scheduled")).deletedDate()).isNotNull();
        assertThat(sm.secret("scheduled").orElseThrow().scheduledForDeletion()).isTrue();
        assertThat(sm.liveSecretNames()).containsExactly("kept");
    }

    @Test
    void shouldDefaultTheRecoveryWindowTo30Days() {
        client.createSecret(b -> b.name("default-window").secretString("v"));

        DeleteSecretResponse deleted = client.deleteSecret(b -> b.secretId("default-window"));

        assertThat(Duration.between(Instant.now(), deleted.deletionDate()).toDays()).isBetween(29L, 30L);
    }

    @Test
    void shouldRefuseReadsWritesTagsAndReuseOfASecretScheduledForDeletion() {
        client.createSecret(b -> b.name("doomed").secretString("v"));
        client.deleteSecret(b -> b.secretId("doomed").recoveryWindowInDays(7L));

        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("doomed")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.putSecretValue(b -> b.secretId("doomed").secretString("w")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.tagResource(b -> b.secretId("doomed")
                .tags(Tag.builder().key("k").value("v").build())))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.createSecret(b -> b.name("doomed").secretString("v")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.deleteSecret(b -> b.secretId("doomed").recoveryWindowInDays(7L)))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldRestoreASecretScheduledForDeletion() {
        client.createSecret(b -> b.name("restored").secretString("v"));
        client.deleteSecret(b -> b.secretId("restored").recoveryWindowInDays(7L));

        client.restoreSecret(b -> b.secretId("restored"));

        assertThat(client.getSecretValue(b -> b.secretId("restored")).secretString()).isEqualTo("v");
        assertThat(sm.liveSecretNames()).containsExactly("restored");
    }

    @Test
    void shouldForceDeleteASecretAlreadyScheduledForDeletion() {
        client.createSecret(b -> b.name("twice").secretString("v"));
        client.deleteSecret(b -> b.secretId("twice").recoveryWindowInDays(7L));

        client.deleteSecret(b -> b.secretId("twice").forceDeleteWithoutRecovery(true));

        assertThat(sm.secret("twice")).isEmpty();
    }

    @Test
    void shouldRefuseARecoveryWindowTogetherWithForceDeleteOrOutsideSevenToThirtyDays() {
        client.createSecret(b -> b.name("params").secretString("v"));

        assertThatThrownBy(() -> client.deleteSecret(b -> b.secretId("params").recoveryWindowInDays(7L)
                .forceDeleteWithoutRecovery(true)))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> client.deleteSecret(b -> b.secretId("params").recoveryWindowInDays(6L)))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> client.deleteSecret(b -> b.secretId("params").recoveryWindowInDays(31L)))
                .isInstanceOf(InvalidParameterException.class);
        assertThat(sm.liveSecretNames()).containsExactly("params");
    }

    private Optional<CreateSecretResponse> tryCreate(String name, String value) {
        try {
            return Optional.of(client.createSecret(b -> b.name(name).secretString(value)));
        } catch (InvalidRequestException stillBlocked) {
            return Optional.empty();
        }
    }

    private static List<String> names(List<SecretListEntry> entries) {
        return entries.stream().map(SecretListEntry::name).toList();
    }
}
