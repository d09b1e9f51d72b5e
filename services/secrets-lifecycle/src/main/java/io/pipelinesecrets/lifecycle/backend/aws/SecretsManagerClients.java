package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.backend.AsyncRateLimiter;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClientBuilder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One async client per region and role, created on first use and reused; one rate limiter per account and region,
 * shared by every client that writes there. Futures complete on the backend's own executor, never on the SDK's I/O
 * threads.
 *
 * <p>Limiters are keyed by account because Secrets Manager's quotas are per account and region: two roles of one
 * account share its ~50 creates per second. The account of a role is the one in its ARN. The account of the
 * service's own credentials is {@code aws.account-id} when configured; otherwise it is unknown here (finding out
 * would take an STS call at start), so those calls get a limiter of their own, and a role in the service's own
 * account then counts separately from them. That is acceptable: it lets at most twice
 * {@code aws.calls-per-second} into that one account, and any excess is throttled by AWS and retried, never lost.
 */
final class SecretsManagerClients implements AutoCloseable {

    /** The limiter key of the service's own credentials when their account is not configured; never 12 digits. */
    static final String OWN_CREDENTIALS = "own-credentials";

    private record ClientKey(String region, String roleArn) {
    }

    private record LimiterKey(String region, String account) {
    }

    private final AwsBackendConfig config;
    private final CredentialsFactory credentials;
    private final Executor completions;
    private final ScheduledExecutorService timer;
    private final Map<ClientKey, SecretsManagerAsyncClient> clients = new ConcurrentHashMap<>();
    private final Map<ClientKey, AwsCredentialsProvider> roleCredentials = new ConcurrentHashMap<>();
    private final Map<LimiterKey, AsyncRateLimiter> limiters = new ConcurrentHashMap<>();
    /** One connection pool and event loop for every client, instead of one per region and role. */
    private final SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder().maxConcurrency(64).build();

    SecretsManagerClients(AwsBackendConfig config, CredentialsFactory credentials, Executor completions,
                          ScheduledExecutorService timer) {
        this.config = config;
        this.credentials = credentials;
        this.completions = completions;
        this.timer = timer;
    }

    SecretsManagerAsyncClient client(String region, String roleArn) {
        return clients.computeIfAbsent(new ClientKey(region, roleArn), this::build);
    }

    /** The limiter of the account and region a call with this role (null: the service's own credentials) writes to. */
    AsyncRateLimiter limiter(String region, String roleArn) {
        return limiters.computeIfAbsent(new LimiterKey(region, accountOf(roleArn)),
                key -> new AsyncRateLimiter(config.callsPerSecond(), timer));
    }

    /** The account a call with this role writes to, as far as the configuration tells. */
    String accountOf(String roleArn) {
        if (roleArn == null) {
            return config.accountId() != null ? config.accountId() : OWN_CREDENTIALS;
        }
        // Only allowed roles get here, and AwsBackendConfig accepts only role ARNs: the fallback is for safety.
        return RoleArns.account(roleArn).orElse(roleArn);
    }

    int clientCount() {
        return clients.size();
    }

    private SecretsManagerAsyncClient build(ClientKey key) {
        AwsCredentialsProvider provider = key.roleArn() == null ? credentials.base()
                : roleCredentials.computeIfAbsent(key, k -> credentials.forRole(k.region(), k.roleArn()));
        SecretsManagerAsyncClientBuilder builder = SecretsManagerAsyncClient.builder()
                .region(Region.of(key.region()))
                .credentialsProvider(provider)
                .httpClient(http)
                .asyncConfiguration(async -> async.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
                        completions))
                .overrideConfiguration(override -> override.apiCallTimeout(config.callTimeout()));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        return builder.build();
    }

    @Override
    public void close() {
        clients.values().forEach(SecretsManagerAsyncClient::close);
        http.close();
        roleCredentials.values().forEach(provider -> {
            if (provider instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing a credentials refresher cannot fail in a way that matters at shutdown
                }
            }
        });
    }
}
