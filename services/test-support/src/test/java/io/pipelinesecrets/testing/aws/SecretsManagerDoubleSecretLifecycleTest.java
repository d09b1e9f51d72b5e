package io.pipelinesecrets.testing.aws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

@Timeout(60)
class SecretsManagerDoubleSecretLifecycleTest {

    private SecretsManagerDouble sm;
    private SecretsManagerClient client;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start();
        client = AwsClients.sync(sm);
    }

    @AfterEach
    void stop() {
        client.close();
        sm.close();
    }

    @Test
    void shouldCreateASecretWhoseArnEndsInTheNameAndSixRandomAlphanumerics() {
        CreateSecretResponse created =
                client.createSecret(b -> b.name("tower-run1/DB_PASSWORD").secretString("s3cr3t"));

        assertThat(created.name()).isEqualTo("tower-run1/DB_PASSWORD");
        assertThat(created.arn())
                .matches("arn:aws:secretsmanager:us-east-1:123456789012:secret:tower-run1/DB_PASSWORD-[A-Za-z0-9]{6}");
        assertThat(created.versionId()).isNotBlank();
        assertThat(sm.liveSecretNames()).containsExactly("tower-run1/DB_PASSWORD");
    }

    @Test
    void shouldWriteTheConfiguredRegionAndAccountIntoArns() {
        try (SecretsManagerDouble other = SecretsManagerDouble.start(
                DoubleSettings.defaults().withRegion("eu-west-1").withAccount("210987654321"));
             SecretsManagerClient euClient = AwsClients.sync(other)) {
            assertThat(euClient.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);

            String arn = euClient.createSecret(b -> b.name("eu-secret").secretString("v")).arn();

            assertThat(arn).startsWith("arn:aws:secretsmanager:eu-west-1:210987654321:secret:eu-secret-");
        }
    }

    @Test
    void shouldDescribeASecretWithItsTagsKeyAndCurrentVersion() {
        Instant before = Instant.now().minusSeconds(1);
        CreateSecretResponse created = client.createSecret(b -> b.name("described").secretString("v")
                .description("the db password").kmsKeyId("alias/pipeline-secrets")
                .tags(Tag.builder().key("managed-by").value("pipeline-secrets").build(),
                        Tag.builder().key("run-id").value("run1").build()));

        DescribeSecretResponse described = client.describeSecret(b -> b.secretId("described"));

        assertThat(described.arn()).isEqualTo(created.arn());
        assertThat(described.name()).isEqualTo("described");
        assertThat(described.description()).isEqualTo("the db password");
        assertThat(described.kmsKeyId()).isEqualTo("alias/pipeline-secrets");
        assertThat(described.tags()).extracting(Tag::key, Tag::value)
                .containsExactly(tuple("managed-by", "pipeline-secrets"),
                        tuple("run-id", "run1"));
        assertThat(described.versionIdsToStages()).isEqualTo(Map.of(created.versionId(), List.of("AWSCURRENT")));
        assertThat(described.createdDate()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
        assertThat(described.deletedDate()).isNull();
    }

    @Test
    void shouldDescribeBySecretIdGivenAsNameFullArnOrPartialArn() {
        String arn = client.createSecret(b -> b.name("by-id").secretString("v")).arn();
        String partialArn = arn.substring(0, arn.length() - 7);

        assertThat(client.describeSecret(b -> b.secretId(arn)).name()).isEqualTo("by-id");
        assertThat(client.describeSecret(b -> b.secretId(partialArn)).name()).isEqualTo("by-id");
        assertThatThrownBy(() -> client.describeSecret(b -> b.secretId("by-id-nope")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void shouldGetTheCurrentValueWithItsVersionAndStages() {
        CreateSecretResponse created = client.createSecret(b -> b.name("valued").secretString("{\"a\":\"b\"}"));

        GetSecretValueResponse value = client.getSecretValue(b -> b.secretId("valued"));

        assertThat(value.secretString()).isEqualTo("{\"a\":\"b\"}");
        assertThat(value.secretBinary()).isNull();
        assertThat(value.versionId()).isEqualTo(created.versionId());
        assertThat(value.versionStages()).containsExactly("AWSCURRENT");
        assertThat(value.arn()).isEqualTo(created.arn());
        assertThat(value.createdDate()).isNotNull();
    }

    @Test
    void shouldRoundTripABinarySecret() {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 42};
        client.createSecret(b -> b.name("binary").secretBinary(SdkBytes.fromByteArray(bytes)));

        GetSecretValueResponse value = client.getSecretValue(b -> b.secretId("binary"));

        assertThat(value.secretBinary().asByteArray()).isEqualTo(bytes);
        assertThat(value.secretString()).isNull();
        assertThat(sm.secret("binary").orElseThrow().currentValue().orElseThrow().asBytes()).isEqualTo(bytes);
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownSecret() {
        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("missing")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("can't find the specified secret");
    }

    @Test
    void shouldAddAndOverwriteTagsAndRemoveThemAgain() {
        client.createSecret(b -> b.name("tagged").secretString("v")
                .tags(Tag.builder().key("scope").value("workspace").build()));

        client.tagResource(b -> b.secretId("tagged").tags(Tag.builder().key("scope").value("user").build(),
                Tag.builder().key("run-id").value("r7").build()));

        assertThat(sm.secret("tagged").orElseThrow().tags()).containsExactly(Map.entry("scope", "user"),
                Map.entry("run-id", "r7"));
        client.untagResource(b -> b.secretId("tagged").tagKeys("scope"));
        assertThat(client.describeSecret(b -> b.secretId("tagged")).tags()).extracting(Tag::key)
                .containsExactly("run-id");
    }

    @Test
    void shouldMakeAPutValueCurrentAndTheFormerCurrentPrevious() {
        String first = client.createSecret(b -> b.name("rotated").secretString("one")).versionId();

        PutSecretValueResponse put = client.putSecretValue(b -> b.secretId("rotated").secretString("two"));

        assertThat(put.versionId()).isNotEqualTo(first);
        assertThat(put.versionStages()).containsExactly("AWSCURRENT");
        assertThat(client.getSecretValue(b -> b.secretId("rotated")).secretString()).isEqualTo("two");
        assertThat(client.getSecretValue(b -> b.secretId("rotated").versionStage("AWSPREVIOUS")).secretString())
                .isEqualTo("one");
        assertThat(client.getSecretValue(b -> b.secretId("rotated").versionId(first)).secretString()).isEqualTo("one");
        assertThat(client.describeSecret(b -> b.secretId("rotated")).versionIdsToStages())
                .isEqualTo(Map.of(first, List.of("AWSPREVIOUS"), put.versionId(), List.of("AWSCURRENT")));
    }

    @Test
    void shouldTreatAPutWithTheSameTokenAndValueAsANoOp() {
        client.createSecret(b -> b.name("put-twice").secretString("one"));
        String token = "put-token-0000000000000000000000000001";

        String first = client.putSecretValue(b -> b.secretId("put-twice").secretString("two")
                .clientRequestToken(token)).versionId();
        String second = client.putSecretValue(b -> b.secretId("put-twice").secretString("two")
                .clientRequestToken(token)).versionId();

        assertThat(second).isEqualTo(first).isEqualTo(token);
        assertThat(sm.secret("put-twice").orElseThrow().versions()).hasSize(2);
    }

    @Test
    void shouldExposeStateWithoutEverPrintingTheValue() {
        client.createSecret(b -> b.name("quiet").secretString("hunter2-very-secret"));

        SecretSnapshot snapshot = sm.secret("quiet").orElseThrow();

        assertThat(snapshot.currentValue().orElseThrow().asString()).isEqualTo("hunter2-very-secret");
        assertThat(snapshot.scheduledForDeletion()).isFalse();
        assertThat(snapshot.toString()).contains("quiet").doesNotContain("hunter2");
        assertThat(sm.stats().calls().toString()).doesNotContain("hunter2");
        assertThat(sm.secret("never-created")).isEmpty();
    }

    @Test
    void shouldForgetEverythingOnReset() {
        client.createSecret(b -> b.name("gone-after-reset").secretString("v"));
        sm.faults().on(Operations.DESCRIBE_SECRET).latency(Duration.ofSeconds(5));

        sm.reset();

        assertThat(sm.liveSecretNames()).isEmpty();
        assertThat(sm.stats().totalRequests()).isZero();
        assertThatThrownBy(() -> client.describeSecret(b -> b.secretId("gone-after-reset")))
                .isInstanceOf(ResourceNotFoundException.class);
    }
}
