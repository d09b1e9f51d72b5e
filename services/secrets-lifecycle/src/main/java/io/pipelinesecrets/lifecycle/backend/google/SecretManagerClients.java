package io.pipelinesecrets.lifecycle.backend.google;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcCallContext;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ApiCallContext;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.pipelinesecrets.lifecycle.backend.AsyncRateLimiter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Secret Manager client per endpoint (global, or a location's regional endpoint) and identity, created on first
 * use; two rate limiters per project, one for writes and one for reads, since Secret Manager's quotas are per
 * project whatever the identity or location. Every call has a deadline ({@code google.call-timeout}) and no retries
 * of the library's own: the lifecycle's retries are non-blocking and audited, and a retry hidden in the library would
 * hold a write permit past its slot. Futures complete on the backend's executor, never on gRPC's threads.
 */
final class SecretManagerClients implements AutoCloseable {

    static final String GLOBAL_ENDPOINT = "secretmanager.googleapis.com:443";

    private record ClientKey(String location, String serviceAccount) {
    }

    private final GoogleBackendConfig config;
    private final GoogleCredentialsSource credentials;
    private final Executor completions;
    private final ScheduledExecutorService timer;
    private final Map<ClientKey, SecretManagerServiceClient> clients = new ConcurrentHashMap<>();
    private final Map<String, AsyncRateLimiter> writes = new ConcurrentHashMap<>();
    private final Map<String, AsyncRateLimiter> reads = new ConcurrentHashMap<>();
    private final List<ManagedChannel> plainChannels = new CopyOnWriteArrayList<>();

    SecretManagerClients(GoogleBackendConfig config, GoogleCredentialsSource credentials, Executor completions,
                         ScheduledExecutorService timer) {
        this.config = config;
        this.credentials = credentials;
        this.completions = completions;
        this.timer = timer;
    }

    /** The client for secrets in {@code location} (null: global) as {@code serviceAccount} (null: the service's own). */
    SecretManagerServiceClient client(String location, String serviceAccount) {
        return clients.computeIfAbsent(new ClientKey(location, serviceAccount), this::build);
    }

    AsyncRateLimiter writes(String project) {
        return writes.computeIfAbsent(project, p -> new AsyncRateLimiter(config.writesPerMinute() / 60.0, timer));
    }

    AsyncRateLimiter reads(String project) {
        return reads.computeIfAbsent(project, p -> new AsyncRateLimiter(config.readsPerMinute() / 60.0, timer));
    }

    /** The call's deadline, for the callable's {@code futureCall}. */
    ApiCallContext deadline() {
        return GrpcCallContext.createDefault().withTimeoutDuration(config.callTimeout());
    }

    /** The library's future as one that completes on the backend's executor; cancelling it cancels the call. */
    <T> CompletableFuture<T> completable(ApiFuture<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        ApiFutures.addCallback(call, new ApiFutureCallback<>() {
            @Override
            public void onFailure(Throwable failure) {
                result.completeExceptionally(failure);
            }

            @Override
            public void onSuccess(T answer) {
                result.complete(answer);
            }
        }, completions);
        result.whenComplete((answer, failure) -> {
            if (result.isCancelled()) {
                call.cancel(true);
            }
        });
        return result;
    }

    int clientCount() {
        return clients.size();
    }

    private SecretManagerServiceClient build(ClientKey key) {
        SecretManagerServiceSettings.Builder settings = SecretManagerServiceSettings.newBuilder();
        URI endpoint = config.endpoint();
        if (endpoint != null && "http".equals(endpoint.getScheme())) {
            // The test double: plain text and no credentials, one channel this class closes.
            ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
                    .usePlaintext().build();
            plainChannels.add(channel);
            settings.setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                    .setCredentialsProvider(NoCredentialsProvider.create());
        } else {
            settings.setEndpoint(endpoint != null ? endpoint.getHost() + ":" + (endpoint.getPort() < 0 ? 443 : endpoint.getPort())
                    : key.location() == null ? GLOBAL_ENDPOINT : "secretmanager." + key.location() + ".rep.googleapis.com:443");
            settings.setCredentialsProvider(FixedCredentialsProvider.create(key.serviceAccount() == null
                    ? credentials.base() : credentials.impersonating(key.serviceAccount())));
        }
        RetrySettings once = RetrySettings.newBuilder().setMaxAttempts(1)
                .setTotalTimeoutDuration(config.callTimeout())
                .setInitialRpcTimeoutDuration(config.callTimeout())
                .setMaxRpcTimeoutDuration(config.callTimeout()).build();
        settings.applyToAllUnaryMethods(method -> {
            method.setRetrySettings(once).setRetryableCodes(Set.of());
            return null;
        });
        try {
            return SecretManagerServiceClient.create(settings.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a Secret Manager client", e);
        }
    }

    @Override
    public void close() {
        clients.values().forEach(SecretManagerServiceClient::close);
        for (ManagedChannel channel : plainChannels) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
