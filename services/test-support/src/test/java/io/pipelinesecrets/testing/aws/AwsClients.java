package io.pipelinesecrets.testing.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.util.concurrent.Executor;

/** Real SDK clients pointed at a double, with static credentials, as the SDK's own protocol tests do. */
final class AwsClients {

    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private AwsClients() {
    }

    /** The default client: the SDK's default retry strategy, default (Apache) HTTP client. */
    static SecretsManagerClient sync(SecretsManagerDouble sm) {
        return SecretsManagerClient.builder()
                .endpointOverride(URI.create(sm.endpoint()))
                .region(Region.of(sm.settings().region()))
                .credentialsProvider(CREDENTIALS)
                .build();
    }

    /** A client whose every failure reaches the caller, so tests see what the double answered. */
    static SecretsManagerClient withoutRetries(SecretsManagerDouble sm) {
        return SecretsManagerClient.builder()
                .endpointOverride(URI.create(sm.endpoint()))
                .region(Region.of(sm.settings().region()))
                .credentialsProvider(CREDENTIALS)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** The async client on Netty; futures complete on {@code completions}, never on a Netty event loop. */
    static SecretsManagerAsyncClient async(SecretsManagerDouble sm, Executor completions) {
        return SecretsManagerAsyncClient.builder()
                .endpointOverride(URI.create(sm.endpoint()))
                .region(Region.of(sm.settings().region()))
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .asyncConfiguration(c -> c.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
                        completions))
                .build();
    }

    static String errorCode(Throwable thrown) {
        return ((AwsServiceException) thrown).awsErrorDetails().errorCode();
    }
}
