package io.pipelinesecrets.testing.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.api.gax.rpc.ResourceExhaustedException;
import com.google.api.gax.rpc.UnavailableException;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.pipelinesecrets.testing.time.HandClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The double as the real Secret Manager client library sees it, over gRPC on a loopback port. */
class SecretManagerDoubleTest {

    private static final String PROJECT = "projects/research-42";

    private final HandClock clock = new HandClock(Instant.parse("2026-12-03T10:00:00Z"));
    private SecretManagerDouble sm;
    private ManagedChannel channel;
    private SecretManagerServiceClient client;

    @BeforeEach
    void start() throws IOException {
        sm = SecretManagerDouble.start(clock);
        channel = ManagedChannelBuilder.forTarget(sm.endpoint()).usePlaintext().build();
        client = SecretManagerServiceClient.create(SecretManagerServiceSettings.newBuilder()
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .build());
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        sm.close();
    }

    @Test
    void shouldKeepSecretsVersionsLabelsAndAnExpiryDerivedFromTheTtl() {
        Secret created = client.createSecret(PROJECT, "tower-run1-DB_PASSWORD", secret(Map.of("managed-by", "tower-prod"),
                Duration.newBuilder().setSeconds(3600).build()));
        client.addSecretVersion(created.getName(), payload("first"));
        client.addSecretVersion(created.getName(), payload("second"));

        AccessSecretVersionResponse latest = client.accessSecretVersion(created.getName() + "/versions/latest");

        assertThat(created.getName()).isEqualTo(PROJECT + "/secrets/tower-run1-DB_PASSWORD");
        assertThat(created.getLabelsMap()).containsEntry("managed-by", "tower-prod");
        assertThat(created.getExpireTime().getSeconds()).isEqualTo(clock.instant().getEpochSecond() + 3600);
        assertThat(latest.getName()).isEqualTo(created.getName() + "/versions/2");
        assertThat(latest.getPayload().getData().toStringUtf8()).isEqualTo("second");
        assertThat(latest.getPayload().getDataCrc32C()).isEqualTo(SecretManagerState.crc32cOf(ByteString.copyFromUtf8("second")));
        assertThat(client.accessSecretVersion(created.getName() + "/versions/1").getPayload().getData().toStringUtf8())
                .isEqualTo("first");

        clock.advance(java.time.Duration.ofHours(1));
        assertThat(sm.state().secret(created.getName())).as("Google deletes an expired secret").isEmpty();
        assertThatThrownBy(() -> client.getSecret(created.getName())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void shouldRefuseWhatGoogleRefuses() {
        client.createSecret(PROJECT, "tower-run1-A", secret(Map.of(), null));

        assertThatThrownBy(() -> client.createSecret(PROJECT, "tower-run1-A", secret(Map.of(), null)))
                .isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> client.createSecret(PROJECT, "tower/run1", secret(Map.of(), null)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> client.createSecret(PROJECT, "tower-run1-B", secret(Map.of("Managed-By", "x"), null)))
                .as("label keys are lower case").isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> client.addSecretVersion(PROJECT + "/secrets/tower-run1-A", SecretPayload.newBuilder()
                .setData(ByteString.copyFromUtf8("v")).setDataCrc32C(1).build()))
                .as("a payload whose checksum does not match").isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> client.deleteSecret(PROJECT + "/secrets/missing")).isInstanceOf(NotFoundException.class);
        client.deleteSecret(PROJECT + "/secrets/tower-run1-A");
        assertThat(sm.state().secrets()).isEmpty();
    }

    @Test
    void shouldListByLabelFollowingPageTokensAndKeepRegionalSecretsApart() {
        for (int i = 0; i < 30; i++) {
            client.createSecret(PROJECT, "tower-run" + i + "-A", secret(Map.of("deployment", i % 3 == 0 ? "ours" : "theirs"), null));
        }
        client.createSecret(PROJECT + "/locations/europe-west4", "tower-regional-A", secret(Map.of("deployment", "ours"), null));

        SecretManagerServiceClient.ListSecretsPagedResponse ours = client.listSecrets(ListSecretsRequest.newBuilder()
                .setParent(PROJECT).setFilter("labels.deployment=ours").setPageSize(4).build());
        List<String> names = StreamSupport.stream(ours.iterateAll().spliterator(), false).map(Secret::getName).toList();

        assertThat(names).hasSize(10).allSatisfy(name -> assertThat(name).startsWith(PROJECT + "/secrets/"));
        assertThat(sm.state().calls("ListSecrets")).as("pages of 4").isEqualTo(3);
        assertThat(StreamSupport.stream(client.listSecrets(PROJECT + "/locations/europe-west4").iterateAll().spliterator(), false))
                .extracting(Secret::getName).containsExactly(PROJECT + "/locations/europe-west4/secrets/tower-regional-A");
    }

    @Test
    void shouldFailAsScriptedWithoutChangingAnything() {
        sm.faults().failNext("CreateSecret", Status.Code.RESOURCE_EXHAUSTED, 1);
        assertThatThrownBy(() -> client.createSecret(PROJECT, "tower-run1-A", secret(Map.of(), null)))
                .isInstanceOf(ResourceExhaustedException.class);
        assertThat(sm.state().secrets()).isEmpty();
        client.createSecret(PROJECT, "tower-run1-A", secret(Map.of(), null));

        sm.faults().denyProject("other-tenant");
        assertThatThrownBy(() -> client.createSecret("projects/other-tenant", "tower-run1-A", secret(Map.of(), null)))
                .isInstanceOf(PermissionDeniedException.class);

        sm.faults().outage(true);
        assertThatThrownBy(() -> client.deleteSecret(PROJECT + "/secrets/tower-run1-A"))
                .isInstanceOf(UnavailableException.class);
        sm.faults().outage(false);
        client.deleteSecret(PROJECT + "/secrets/tower-run1-A");

        assertThat(sm.state().secrets()).isEmpty();
        assertThat(sm.state().calls("CreateSecret")).isEqualTo(3);
    }

    private static Secret secret(Map<String, String> labels, Duration ttl) {
        Secret.Builder secret = Secret.newBuilder().putAllLabels(labels)
                .setReplication(Replication.newBuilder().setAutomatic(Replication.Automatic.getDefaultInstance()));
        if (ttl != null) {
            secret.setTtl(ttl);
        }
        return secret.build();
    }

    private static SecretPayload payload(String value) {
        ByteString data = ByteString.copyFrom(value, StandardCharsets.UTF_8);
        return SecretPayload.newBuilder().setData(data).setDataCrc32C(SecretManagerState.crc32cOf(data)).build();
    }
}
