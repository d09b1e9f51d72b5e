package io.pipelinesecrets.lifecycle.backend.filesystem;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.assertAllFailed;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.await;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.run;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.secret;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.stored;
import static org.assertj.core.api.Assertions.assertThat;

/** The stream thread calls the backend, so nothing may block it: all I/O happens on the backend's executor. */
class FilesystemBackendExecutorTest {

    private static final List<Secret> SECRETS = List.of(secret("DB_PASSWORD", "hunter2"));

    @TempDir
    Path root;

    @Test
    void shouldReturnBeforeTouchingTheFilesystemAndDoTheWorkOnTheExecutor() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        FilesystemBackend backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)), queued::add);

        CompletableFuture<List<SecretOutcome>> provisioned = backend.provision(run("run-1", root), SECRETS);

        assertThat(provisioned).isNotDone();
        assertThat(root).isEmptyDirectory();
        Thread worker = new Thread(() -> queued.forEach(Runnable::run), "test-io-worker");
        worker.start();
        worker.join(10_000);
        assertThat(await(provisioned)).singleElement().isInstanceOf(SecretOutcome.Created.class);
        assertThat(root.resolve("run-1/store.json")).isRegularFile();

        queued.clear();
        CompletableFuture<List<SecretOutcome>> released = backend.release(run("run-1", root), stored(null, "DB_PASSWORD"));
        assertThat(released).isNotDone();
        assertThat(root.resolve("run-1/store.json")).isRegularFile();
        queued.forEach(Runnable::run);
        assertThat(await(released)).singleElement().isInstanceOf(SecretOutcome.Deleted.class);
    }

    @Test
    void shouldCompleteOnTheGivenExecutorsThreadNotTheCallers() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(task -> new Thread(task, "given-io-thread"));
        List<String> ranOn = new CopyOnWriteArrayList<>();
        Executor recording = task -> pool.execute(() -> {
            ranOn.add(Thread.currentThread().getName());
            task.run();
        });
        try (FilesystemBackend backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)), recording)) {
            List<String> completedOn = new CopyOnWriteArrayList<>();
            CompletableFuture<List<SecretOutcome>> outcome = backend.provision(run("run-1", root), SECRETS)
                    .whenComplete((result, error) -> completedOn.add(Thread.currentThread().getName()));

            await(outcome);
            assertThat(ranOn).containsExactly("given-io-thread");
            assertThat(completedOn).singleElement().isIn("given-io-thread", Thread.currentThread().getName());
        }
        try {
            assertThat(pool.isShutdown()).as("a given executor is the caller's to shut down").isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRunItsOwnDaemonThreadsWhenGivenNoExecutorAndStopThemOnClose() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(FilesystemBackend.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        FilesystemBackend backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)));
        try {
            await(backend.provision(run("run-1", root), SECRETS));
        } finally {
            backend.close();
            logger.detachAppender(appender);
        }

        assertThat(appender.list).isNotEmpty().allSatisfy(event ->
                assertThat(event.getThreadName()).startsWith("filesystem-backend-")
                        .isNotEqualTo(Thread.currentThread().getName()));
        assertAllFailed(await(backend.provision(run("run-2", root), SECRETS)),
                BackendError.Kind.RETRYABLE, "EXECUTOR_REJECTED");
        assertThat(root.resolve("run-2")).doesNotExist();
    }

    @Test
    void shouldCompleteNormallyWithFailuresWhenTheExecutorRejects() throws Exception {
        Executor rejecting = task -> {
            throw new RejectedExecutionException("full");
        };
        FilesystemBackend backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)), rejecting);

        CompletableFuture<List<SecretOutcome>> outcome = backend.provision(run("run-1", root), SECRETS);

        assertThat(outcome).isCompleted();
        assertAllFailed(await(outcome), BackendError.Kind.RETRYABLE, "EXECUTOR_REJECTED");
        assertThat(root).isEmptyDirectory();
    }
}
