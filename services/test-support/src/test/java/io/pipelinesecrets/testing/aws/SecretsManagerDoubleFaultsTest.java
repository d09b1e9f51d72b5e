package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.aws.SecretCall.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Injected faults as the real SDK client experiences them, with and without its own retries. */
@Timeout(60)
class SecretsManagerDoubleFaultsTest {

    private SecretsManagerDouble sm;
    private SecretsManagerClient retrying;
    private SecretsManagerClient once;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start();
        retrying = AwsClients.sync(sm);
        once = AwsClients.withoutRetries(sm);
    }

    @AfterEach
    void stop() {
        retrying.close();
        once.close();
        sm.close();
    }

    @Test
    void shouldLetTheSdkRetriesAbsorbTwoThrottlesWithTheSameClientRequestToken() {
        sm.faults().on(Operations.CREATE_SECRET).throttle(2);

        retrying.createSecret(b -> b.name("after-throttles").secretString("v"));

        assertThat(sm.stats().requests(Operations.CREATE_SECRET)).isEqualTo(3);
        assertThat(sm.stats().throttled()).isEqualTo(2);
        assertThat(sm.stats().calls()).extracting(SecretCall::outcome, SecretCall::errorCode)
                .containsExactly(tuple(Outcome.FAILED, "ThrottlingException"),
                        tuple(Outcome.FAILED, "ThrottlingException"),
                        tuple(Outcome.CREATED, null));
        // The SDK fills in ClientRequestToken once per call and reuses it on its retries.
        assertThat(sm.stats().calls()).extracting(SecretCall::clientRequestToken).doesNotContainNull()
                .containsOnly(sm.stats().calls().get(2).clientRequestToken());
        assertThat(sm.liveSecretNames()).containsExactly("after-throttles");
    }

    @Test
    void shouldSurfaceAPersistentServerErrorAsStatus500AfterTheSdkRetries() {
        retrying.createSecret(b -> b.name("unreachable").secretString("v"));
        sm.faults().on(Operations.GET_SECRET_VALUE).serverError(100);

        assertThatThrownBy(() -> retrying.getSecretValue(b -> b.secretId("unreachable")))
                .isInstanceOfSatisfying(SecretsManagerException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(500);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalServiceError");
                });
        assertThat(sm.stats().requests(Operations.GET_SECRET_VALUE)).isEqualTo(maxAttempts(retrying)).isGreaterThan(1);
    }

    @Test
    void shouldAnswerAccessDeniedWithoutRetryUntilCleared() {
        retrying.createSecret(b -> b.name("guarded").secretString("v"));
        sm.faults().on(Operations.GET_SECRET_VALUE).accessDenied();

        assertThatThrownBy(() -> retrying.getSecretValue(b -> b.secretId("guarded")))
                .isInstanceOfSatisfying(SecretsManagerException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                    assertThat(e.statusCode()).isEqualTo(400);
                });
        assertThat(sm.stats().requests(Operations.GET_SECRET_VALUE)).isEqualTo(1);

        sm.faults().on(Operations.GET_SECRET_VALUE).clear();
        assertThat(retrying.getSecretValue(b -> b.secretId("guarded")).secretString()).isEqualTo("v");
    }

    @Test
    void shouldDelayAnswersByTheInjectedLatency() {
        retrying.createSecret(b -> b.name("slow").secretString("v"));
        sm.faults().on(Operations.DESCRIBE_SECRET).latency(Duration.ofMillis(300));

        long started = System.nanoTime();
        retrying.describeSecret(b -> b.secretId("slow"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void shouldThrottleABurstOverTheOperationQuota() {
        retrying.createSecret(b -> b.name("hot").secretString("v"));
        // A low quota, so that even a slow machine sends the burst faster than the bucket refills.
        sm.faults().on(Operations.GET_SECRET_VALUE).quotaPerSecond(2);

        int throttled = 0;
        int served = 0;
        for (int i = 0; i < 20; i++) {
            try {
                once.getSecretValue(b -> b.secretId("hot"));
                served++;
            } catch (SecretsManagerException e) {
                assertThat(e.isThrottlingException()).as("throttling, not %s", e.awsErrorDetails()).isTrue();
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                throttled++;
            }
        }

        assertThat(throttled).isPositive();
        assertThat(served).isGreaterThanOrEqualTo(2);
        assertThat(sm.stats().throttled(Operations.GET_SECRET_VALUE)).isEqualTo(throttled);
        assertThat(sm.stats().throttled(Operations.CREATE_SECRET)).isZero();
    }

    @Test
    void shouldThrottleABurstOverTheGlobalQuotaAcrossOperations() {
        try (SecretsManagerDouble quoted = SecretsManagerDouble.start(DoubleSettings.defaults().withQuotaPerSecond(1));
             SecretsManagerClient client = AwsClients.withoutRetries(quoted)) {
            int throttled = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    if (i % 2 == 0) {
                        client.listSecrets(b -> { });
                    } else {
                        client.batchGetSecretValue(b -> b.filters(Filter.builder().key("name").values("x").build()));
                    }
                } catch (SecretsManagerException e) {
                    assertThat(e.isThrottlingException()).isTrue();
                    throttled++;
                }
            }

            assertThat(throttled).isPositive();
            assertThat(quoted.stats().throttled()).isEqualTo(throttled);
            quoted.faults().clear();
            client.listSecrets(b -> { });
        }
    }

    @Test
    void shouldLeaveFaultedRequestsWithoutEffect() {
        sm.faults().on(Operations.CREATE_SECRET).serverError(1);

        assertThatThrownBy(() -> once.createSecret(b -> b.name("not-created").secretString("v")))
                .isInstanceOfSatisfying(SecretsManagerException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
        assertThat(sm.liveSecretNames()).isEmpty();
        once.createSecret(b -> b.name("not-created").secretString("v"));
        assertThat(sm.liveSecretNames()).containsExactly("not-created");
    }

    @Test
    void shouldRefuseFaultsForAnOperationItDoesNotKnow() {
        assertThatThrownBy(() -> sm.faults().on("createSecret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CreateSecret");
    }

    private static int maxAttempts(SecretsManagerClient client) {
        RetryStrategy strategy = client.serviceClientConfiguration().overrideConfiguration().retryStrategy()
                .orElseGet(AwsRetryStrategy::defaultRetryStrategy);
        return strategy.maxAttempts();
    }
}
