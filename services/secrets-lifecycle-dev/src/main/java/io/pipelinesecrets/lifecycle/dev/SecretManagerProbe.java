package io.pipelinesecrets.lifecycle.dev;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Asks a plain-text Secret Manager endpoint (the test double, an emulator) whether a secret exists, so that the demo
 * shows the secrets where a Google Batch job would read them and shows them gone after the release, as it does with
 * the filesystem backend's store. Reads metadata only ({@code GetSecret}), never a value; no credentials.
 */
final class SecretManagerProbe implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final URI endpoint;
    private final ManagedChannel channel;
    private final SecretManagerServiceClient client;

    SecretManagerProbe(URI endpoint) {
        this.endpoint = endpoint;
        this.channel = ManagedChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort()).usePlaintext().build();
        SecretManagerServiceSettings.Builder settings = SecretManagerServiceSettings.newBuilder()
                .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .setCredentialsProvider(NoCredentialsProvider.create());
        settings.getSecretSettings().setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1)
                .setTotalTimeoutDuration(CALL_TIMEOUT).setInitialRpcTimeoutDuration(CALL_TIMEOUT)
                .setMaxRpcTimeoutDuration(CALL_TIMEOUT).build());
        try {
            this.client = SecretManagerServiceClient.create(settings.build());
        } catch (IOException e) {
            channel.shutdownNow();
            throw new IllegalStateException("cannot create a Secret Manager client for " + endpoint, e);
        }
    }

    /**
     * Whether {@code name} ({@code projects/<p>/secrets/<id>}) exists.
     *
     * @throws IllegalStateException when Secret Manager answers anything but the secret or NOT_FOUND
     */
    boolean exists(String name) {
        try {
            client.getSecret(name);
            return true;
        } catch (ApiException e) {
            if (e.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND) {
                return false;
            }
            throw new IllegalStateException("Secret Manager at " + endpoint + " answered " + e.getStatusCode().getCode()
                    + " for " + name, e);
        }
    }

    /**
     * Whether Secret Manager answers at the endpoint: empty when it does (the secret asked for need not exist), else
     * the gRPC status it failed with, e.g. {@code UNAVAILABLE} when nothing listens there.
     */
    Optional<String> problem(String project) {
        try {
            client.getSecret("projects/" + project + "/secrets/pipeline-secrets-dev-connection-check");
            return Optional.empty();
        } catch (ApiException e) {
            return e.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND ? Optional.empty()
                    : Optional.of(e.getStatusCode().getCode().name());
        }
    }

    @Override
    public void close() {
        client.close();
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
