package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.backend.BackendError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwsBackendPartsTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void shouldNameSecretsAndBundlesFromTheTemplate() {
        AwsEnvironmentSettings settings = AwsEnvironmentSettings.DEFAULTS;

        assertThat(settings.secretName("4Bi5xBK6E2Nbhj", "DB_PASSWORD")).isEqualTo("tower-4Bi5xBK6E2Nbhj/DB_PASSWORD");
        assertThat(settings.bundleName("4Bi5xBK6E2Nbhj")).isEqualTo("tower-4Bi5xBK6E2Nbhj");
    }

    @Test
    void shouldRefuseATemplateThatWouldMakeRunsCollide() {
        assertThatThrownBy(() -> new AwsEnvironmentSettings("secrets/{name}", false, null, null))
                .hasMessageContaining("{runId}");
        assertThatThrownBy(() -> new AwsEnvironmentSettings("tower-{runId}", false, null, null))
                .hasMessageContaining("{name}");
    }

    @Test
    void shouldCheckSecretsManagerNameRules() {
        assertThat(SecretNames.problem("tower-run.1/API_TOKEN")).isEmpty();
        assertThat(SecretNames.problem("tower-run 1/API")).hasValueSatisfying(p -> assertThat(p).contains("' '"));
        assertThat(SecretNames.problem("x".repeat(513))).hasValueSatisfying(p -> assertThat(p).contains("512"));
    }

    @Test
    void shouldDeriveTheSameTokenForTheSameRunNameAndVersionOnly() {
        String token = RequestTokens.forSecret("run-1", "DB_PASSWORD", 3);

        assertThat(RequestTokens.forSecret("run-1", "DB_PASSWORD", 3)).isEqualTo(token);
        assertThat(RequestTokens.forSecret("run-1", "DB_PASSWORD", 4)).isNotEqualTo(token);
        assertThat(RequestTokens.forSecret("run-2", "DB_PASSWORD", 3)).isNotEqualTo(token);
        assertThat(RequestTokens.forSecret(io.pipelinesecrets.lifecycle.backend.Deployment.of("cluster", "app"), "run-1",
                "DB_PASSWORD", 3)).as("another deployment's create of the same run is another create").isNotEqualTo(token);
        assertThat(token.length()).isBetween(32, 64);
    }

    @Test
    void shouldClassifyThrottlingServerErrorsAndNetworkFailuresAsRetryable() {
        assertThat(AwsErrors.classify(service(400, "ThrottlingException")).kind()).isEqualTo(BackendError.Kind.RETRYABLE);
        assertThat(AwsErrors.classify(service(500, "InternalServiceError")).kind()).isEqualTo(BackendError.Kind.RETRYABLE);
        assertThat(AwsErrors.classify(new CompletionException(SdkClientException.create("connection reset"))).kind())
                .isEqualTo(BackendError.Kind.RETRYABLE);
        assertThat(AwsErrors.isThrottling(new CompletionException(service(400, "ThrottlingException")))).isTrue();
    }

    @Test
    void shouldClassifyRefusalsAsPermanentWithTheAwsErrorCode() {
        for (String code : List.of("AccessDeniedException", "ValidationException", "InvalidRequestException",
                "LimitExceededException", "InvalidParameterException")) {
            BackendError error = AwsErrors.classify(service(400, code));
            assertThat(error.kind()).as(code).isEqualTo(BackendError.Kind.PERMANENT);
            assertThat(error.code()).isEqualTo(code);
        }
    }

    @Test
    void shouldSpaceCallsAtTheConfiguredRateWithoutBlockingTheCaller() {
        AsyncRateLimiter limiter = new AsyncRateLimiter(50, timer);
        List<Long> granted = new ArrayList<>();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> permits = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            permits.add(limiter.acquire().thenRun(() -> {
                synchronized (granted) {
                    granted.add(System.nanoTime() - start);
                }
            }));
        }
        long issuing = System.nanoTime() - start;
        CompletableFuture.allOf(permits.toArray(CompletableFuture[]::new)).join();

        assertThat(issuing / 1_000_000).as("acquire() returns at once").isLessThan(200);
        assertThat(granted).hasSize(26);
        assertThat(granted.stream().mapToLong(Long::longValue).max().orElseThrow() / 1_000_000)
                .as("the 26th permit at 50/s comes after ~500 ms").isBetween(450L, 10_000L);
    }

    private static SecretsManagerException service(int status, String code) {
        return (SecretsManagerException) SecretsManagerException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message of " + code).build())
                .build();
    }
}
