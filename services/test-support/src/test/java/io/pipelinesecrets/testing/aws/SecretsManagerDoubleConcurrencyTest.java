package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.aws.SecretCall.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Concurrent callers, and the async (Netty) client. */
@Timeout(120)
class SecretsManagerDoubleConcurrencyTest {

    private static final int THREADS = 8;
    private static final int SECRETS_PER_THREAD = 50;

    private SecretsManagerDouble sm;
    private ExecutorService executor;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start();
        executor = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        sm.close();
    }

    @Test
    void shouldCreateEveryDistinctSecretWhenEightThreadsCreateFiftyEach() throws Exception {
        try (SecretsManagerClient client = AwsClients.sync(sm)) {
            List<Future<List<String>>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(executor.submit(() -> {
                    List<String> arns = new ArrayList<>();
                    for (int i = 0; i < SECRETS_PER_THREAD; i++) {
                        String name = "tower-run" + thread + "/SECRET_" + i;
                        arns.add(client.createSecret(b -> b.name(name).secretString("v" + name)).arn());
                    }
                    return arns;
                }));
            }
            List<String> arns = new ArrayList<>();
            for (Future<List<String>> thread : threads) {
                arns.addAll(thread.get(60, TimeUnit.SECONDS));
            }

            assertThat(arns).hasSize(THREADS * SECRETS_PER_THREAD).doesNotHaveDuplicates();
            assertThat(sm.liveSecretNames()).hasSize(THREADS * SECRETS_PER_THREAD);
            assertThat(sm.stats().calls()).hasSize(THREADS * SECRETS_PER_THREAD)
                    .allSatisfy(call -> assertThat(call.outcome()).isEqualTo(Outcome.CREATED));
            assertThat(sm.stats().conflictingCreates()).isEmpty();
            assertThat(client.listSecretsPaginator(b -> b.maxResults(100)).stream()
                .flatMap(page -> page.secretList().stream()).count())
                    .isEqualTo(THREADS * SECRETS_PER_THREAD);
        }
    }

    @Test
    void shouldServeTheAsyncNettyClient() {
        try (SecretsManagerAsyncClient client = AwsClients.async(sm, executor)) {
            CompletableFuture<String> value = client.createSecret(b -> b.name("async").secretString("over netty"))
                    .thenCompose(created -> client.getSecretValue(b -> b.secretId(created.arn())))
                    .thenApply(got -> got.secretString());

            assertThat(value.orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("over netty");

            List<CompletableFuture<CreateSecretResponse>> creates = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "async-" + i;
                creates.add(client.createSecret(b -> b.name(name).secretString("v")));
            }
            CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(sm.liveSecretNames()).hasSize(21);

            assertThatThrownBy(() -> client.describeSecret(b -> b.secretId("nope"))
                    .orTimeout(30, TimeUnit.SECONDS).join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ResourceNotFoundException.class);
            client.deleteSecret(b -> b.secretId("async").forceDeleteWithoutRecovery(true))
                    .orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(sm.secret("async")).isEmpty();
        }
    }
}
