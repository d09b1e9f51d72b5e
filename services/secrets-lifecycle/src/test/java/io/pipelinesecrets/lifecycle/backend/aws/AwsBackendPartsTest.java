package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.backend.AsyncRateLimiter;
import io.pipelinesecrets.contracts.SecretKey;
import io.pipelinesecrets.lifecycle.port.BackendError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
        assertThat(RequestTokens.forSecret(io.pipelinesecrets.lifecycle.port.Deployment.of("cluster", "app"), "run-1",
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

    // ---- tags

    @Test
    void shouldKeepATagValueThatAlreadyFitsAsItIs() {
        for (String fits : List.of("ws-1", "alice@example.org", "Zürich_東京_Αθήνα", "é".repeat(128), "", "a b")) {
            assertThat(TagValues.encode(fits)).isEqualTo(fits);
        }
    }

    @Test
    void shouldWriteAnOwnerIdWithCharactersATagMayNotHoldAsUnpaddedBase64Url() {
        assertThat(TagValues.encode("team#1")).isEqualTo("b64:dGVhbSMx");
        assertThat(TagValues.encode("<a>?")).isEqualTo("b64:PGE-Pw");
        assertThat(TagValues.decode("b64:dGVhbSMx")).isEqualTo("team#1");
    }

    @Test
    void shouldWriteALongIdOfMultiByteSymbolsInTheDenseFormBecauseBase64WouldBeTooLong() {
        String euros = "\u20AC".repeat(128);

        String encoded = TagValues.encode(euros);

        assertThat(encoded).startsWith(TagValues.BASE4096_PREFIX).hasSizeLessThanOrEqualTo(256).matches(TagValues.TAG_TEXT);
        assertThat(TagValues.decode(encoded)).isEqualTo(euros);
    }

    @Test
    void shouldEncodeEveryLegalOwnerIdIntoAValidTagValueAndBack() {
        Random random = new Random(20_240_601);
        int checked = 0;
        while (checked < 2_000) {
            String ownerId = randomText(random, 1 + random.nextInt(SecretKey.MAX_OWNER_ID_LENGTH));
            if (SecretKey.ownerIdProblem(ownerId) != null) {
                continue;
            }
            checked++;

            String encoded = TagValues.encode(ownerId);

            assertThat(encoded).as("%s", encoded).hasSizeLessThanOrEqualTo(256).matches(TagValues.TAG_TEXT);
            assertThat(TagValues.decode(encoded)).isEqualTo(ownerId);
        }
    }

    @Test
    void shouldSayWhyAnInstanceIdCannotBeATagValue() {
        assertThat(TagValues.problem("tower-prod")).isEmpty();
        assertThat(TagValues.problem("tower#prod")).hasValueSatisfying(p -> assertThat(p).contains("_.:/=+-@"));
        assertThatThrownBy(() -> new AwsBackendConfig("tower#prod", AwsEnvironmentSettings.DEFAULTS, Map.of(),
                Set.of("us-east-1"), Set.of(), null, 40, null, Duration.ofSeconds(30)))
                .hasMessageContaining("instance.id 'tower#prod'");
    }

    /** Code points of every kind, BMP and beyond, favouring the ASCII punctuation and symbols ids really hold. */
    private static String randomText(Random random, int maxUnits) {
        StringBuilder text = new StringBuilder();
        while (text.length() < maxUnits) {
            int codePoint = switch (random.nextInt(4)) {
                case 0 -> 0x21 + random.nextInt(0x5E);
                case 1 -> 0xA0 + random.nextInt(0x2000);
                case 2 -> random.nextInt(0x10000);
                default -> 0x10000 + random.nextInt(0x100000);
            };
            if (Character.isSurrogate((char) codePoint) && codePoint < 0x10000 && random.nextBoolean()) {
                continue;
            }
            if (text.length() + Character.charCount(codePoint) <= maxUnits) {
                text.appendCodePoint(codePoint);
            } else {
                text.append('x');
            }
        }
        return text.toString();
    }

    // ---- rate limiters and accounts

    @Test
    void shouldReadTheAccountFromARoleArn() {
        assertThat(RoleArns.account("arn:aws:iam::111122223333:role/pipeline-secrets-writer")).contains("111122223333");
        assertThat(RoleArns.account("arn:aws-cn:iam::111122223333:role/path/writer")).contains("111122223333");
        assertThat(RoleArns.account("arn:aws:iam::1:role/a")).isEmpty();
        assertThat(RoleArns.account("arn:aws:iam::111122223333:user/alice")).isEmpty();
    }

    @Test
    void shouldRefuseAnAllowedRoleThatIsNotARoleArn() {
        assertThatThrownBy(() -> new AwsBackendConfig("instance", AwsEnvironmentSettings.DEFAULTS, Map.of(),
                Set.of("us-east-1"), Set.of("arn:aws:iam::1:role/a"), null, 40, null, Duration.ofSeconds(30)))
                .hasMessageContaining("aws.role-arns").hasMessageContaining("arn:aws:iam::1:role/a");
    }

    @Test
    void shouldShareOneRateLimiterAmongTheRolesOfOneAccountInOneRegion() {
        try (SecretsManagerClients clients = clients(limiterConfig())) {
            AsyncRateLimiter first = clients.limiter("us-east-1", ROLE_A1);

            assertThat(clients.limiter("us-east-1", ROLE_A2)).as("another role of the same account").isSameAs(first);
            assertThat(clients.limiter("eu-west-1", ROLE_A1)).as("another region").isNotSameAs(first);
            assertThat(clients.limiter("us-east-1", ROLE_B)).as("another account").isNotSameAs(first);
            assertThat(clients.limiter("us-east-1", null)).as("the service's own credentials, account unknown")
                    .isNotSameAs(first).isSameAs(clients.limiter("us-east-1", null));
        }
    }

    @Test
    void shouldCountTheServicesOwnCredentialsWithTheRolesOfTheConfiguredAccount() {
        try (SecretsManagerClients clients = clients(limiterConfig().withAccountId("111122223333"))) {
            assertThat(clients.limiter("us-east-1", null)).isSameAs(clients.limiter("us-east-1", ROLE_A1))
                    .isNotSameAs(clients.limiter("us-east-1", ROLE_B));
        }
    }

    @Test
    void shouldRefuseAnAccountIdThatIsNotTwelveDigits() {
        assertThatThrownBy(() -> limiterConfig().withAccountId("1111-2222-3333")).hasMessageContaining("aws.account-id");
    }

    private static final String ROLE_A1 = "arn:aws:iam::111122223333:role/writer-one";
    private static final String ROLE_A2 = "arn:aws:iam::111122223333:role/writer-two";
    private static final String ROLE_B = "arn:aws:iam::444455556666:role/writer";

    private static AwsBackendConfig limiterConfig() {
        return new AwsBackendConfig("instance", AwsEnvironmentSettings.DEFAULTS, Map.of(), Set.of("us-east-1", "eu-west-1"),
                Set.of(ROLE_A1, ROLE_A2, ROLE_B), null, 40, null, Duration.ofSeconds(30));
    }

    private SecretsManagerClients clients(AwsBackendConfig config) {
        return new SecretsManagerClients(config, new RecordingCredentials(), Runnable::run, timer);
    }

    private static SecretsManagerException service(int status, String code) {
        return (SecretsManagerException) SecretsManagerException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message of " + code).build())
                .build();
    }
}
