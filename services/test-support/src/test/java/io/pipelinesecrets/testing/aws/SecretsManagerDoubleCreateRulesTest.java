package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.aws.SecretCall.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CreateSecret's idempotency by ClientRequestToken and its validation, as the real service enforces them. */
@Timeout(60)
class SecretsManagerDoubleCreateRulesTest {

    private static final String TOKEN = "6f1c2a8e-0000-5000-8000-00000000000a";
    private static final String OTHER_TOKEN = "6f1c2a8e-0000-5000-8000-00000000000b";

    private SecretsManagerDouble sm;
    private SecretsManagerClient client;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start();
        client = AwsClients.withoutRetries(sm);
    }

    @AfterEach
    void stop() {
        client.close();
        sm.close();
    }

    @Test
    void shouldAnswerTheSameArnAndVersionWhenTheSameTokenAndValueAreSentAgain() {
        CreateSecretResponse first = create("idem", TOKEN, "value");
        CreateSecretResponse replay = create("idem", TOKEN, "value");

        assertThat(replay.arn()).isEqualTo(first.arn());
        assertThat(replay.versionId()).isEqualTo(first.versionId()).isEqualTo(TOKEN);
        assertThat(sm.stats().calls()).extracting(SecretCall::outcome)
                .containsExactly(Outcome.CREATED, Outcome.IDEMPOTENT_REPLAY);
        assertThat(sm.stats().conflictingCreates()).isEmpty();
        assertThat(sm.secret("idem").orElseThrow().versions()).hasSize(1);
    }

    @Test
    void shouldRefuseTheSameTokenWithAnotherValue() {
        create("idem", TOKEN, "value");

        assertThatThrownBy(() -> create("idem", TOKEN, "another value"))
                .isInstanceOf(ResourceExistsException.class);
        assertThat(sm.secret("idem").orElseThrow().currentValue().orElseThrow().asString()).isEqualTo("value");
    }

    @Test
    void shouldRefuseAnExistingNameWithAnotherToken() {
        create("idem", TOKEN, "value");

        assertThatThrownBy(() -> create("idem", OTHER_TOKEN, "value"))
                .isInstanceOf(ResourceExistsException.class)
                .hasMessageContaining("already exists");
        assertThat(sm.stats().conflictingCreates()).singleElement()
                .satisfies(call -> {
                    assertThat(call.name()).isEqualTo("idem");
                    assertThat(call.clientRequestToken()).isEqualTo(OTHER_TOKEN);
                    assertThat(call.outcome()).isEqualTo(Outcome.FAILED);
                });
    }

    @Test
    void shouldRejectANameWithCharactersOutsideTheAllowedSet() {
        assertThatThrownBy(() -> client.createSecret(b -> b.name("bad name!").secretString("v")))
                .isInstanceOf(SecretsManagerException.class)
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"))
                .satisfies(e -> assertThat(((SecretsManagerException) e).statusCode()).isEqualTo(400));
        assertThat(sm.liveSecretNames()).isEmpty();
    }

    @Test
    void shouldRejectANameLongerThan512Characters() {
        String longName = "n".repeat(513);

        assertThatThrownBy(() -> client.createSecret(b -> b.name(longName).secretString("v")))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        client.createSecret(b -> b.name("n".repeat(512)).secretString("v"));
    }

    @Test
    void shouldRejectAValueOver65536BytesWithoutEchoingIt() {
        String oversize = "x".repeat(65_537);

        assertThatThrownBy(() -> client.createSecret(b -> b.name("big").secretString(oversize)))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("xxxxxxxx"));
        client.createSecret(b -> b.name("just-fits").secretString("x".repeat(65_536)));
    }

    @Test
    void shouldRejectMoreThan50Tags() {
        List<Tag> tags = IntStream.rangeClosed(1, 51)
                .mapToObj(i -> Tag.builder().key("k" + i).value("v").build()).toList();

        assertThatThrownBy(() -> client.createSecret(b -> b.name("tag-heavy").secretString("v").tags(tags)))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        client.createSecret(b -> b.name("tag-heavy").secretString("v").tags(tags.subList(0, 50)));
    }

    @Test
    void shouldRejectTagKeysAndValuesOverTheirLengthLimits() {
        assertThatThrownBy(() -> client.createSecret(b -> b.name("t").secretString("v")
                .tags(Tag.builder().key("k".repeat(129)).value("v").build())))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        assertThatThrownBy(() -> client.createSecret(b -> b.name("t").secretString("v")
                .tags(Tag.builder().key("k").value("v".repeat(257)).build())))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
    }

    @Test
    void shouldRejectTagKeysAndValuesOutsideTheTagPattern() {
        for (String hostile : List.of("team#1", "50%", "<b>", "rocket\uD83D\uDE80", "a\u0301", "tab\there")) {
            assertThatThrownBy(() -> client.createSecret(b -> b.name("t").secretString("v")
                    .tags(Tag.builder().key("k").value(hostile).build())))
                    .as("value %s", hostile)
                    .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
            assertThatThrownBy(() -> client.createSecret(b -> b.name("t").secretString("v")
                    .tags(Tag.builder().key(hostile).value("v").build())))
                    .as("key %s", hostile)
                    .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        }
        assertThat(sm.liveSecretNames()).isEmpty();
    }

    @Test
    void shouldAcceptTagsOfLettersDigitsAndSeparatorsOfAnyScript() {
        client.createSecret(b -> b.name("t").secretString("v").tags(
                Tag.builder().key("équipe").value("Zürich 東京 ٣ a_b.c:d/e=f+g-h@i").build(),
                Tag.builder().key("empty").value("").build()));

        assertThat(sm.secret("t").orElseThrow().tags()).containsEntry("équipe", "Zürich 東京 ٣ a_b.c:d/e=f+g-h@i");
    }

    @Test
    void shouldRejectATokenShorterThan32Characters() {
        assertThatThrownBy(() -> client.createSecret(b -> b.name("t").secretString("v").clientRequestToken("short")))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
    }

    @Test
    void shouldRejectStringAndBinaryTogether() {
        assertThatThrownBy(() -> client.createSecret(b -> b.name("both").secretString("v")
                .secretBinary(SdkBytes.fromUtf8String("v"))))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void shouldCreateASecretWithoutAValueAndNoVersion() {
        CreateSecretResponse created = client.createSecret(b -> b.name("empty-for-now"));

        assertThat(created.versionId()).isNull();
        assertThat(client.describeSecret(b -> b.secretId("empty-for-now")).versionIdsToStages()).isEmpty();
        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("empty-for-now")))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ResourceNotFoundException"));
    }

    private CreateSecretResponse create(String name, String token, String value) {
        return client.createSecret(b -> b.name(name).clientRequestToken(token).secretString(value));
    }
}
