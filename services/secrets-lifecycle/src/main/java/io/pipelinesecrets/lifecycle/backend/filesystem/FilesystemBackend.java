package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.backend.BackendError;
import io.pipelinesecrets.lifecycle.backend.OwnedEntry;
import io.pipelinesecrets.lifecycle.backend.RunLogContext;
import io.pipelinesecrets.lifecycle.backend.RunTarget;
import io.pipelinesecrets.lifecycle.backend.SecretOutcome;
import io.pipelinesecrets.lifecycle.backend.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.EXECUTOR_REJECTED;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.INTERNAL_ERROR;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.IO_ERROR;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.NOT_OURS;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.PERMISSIONS_UNSUPPORTED;
import static io.pipelinesecrets.lifecycle.backend.filesystem.RunStorePaths.printable;

/**
 * Delivers a run's secrets to HPC head jobs as a Nextflow local secrets store on a shared filesystem, one file per
 * run at {@code <secretsPath>/<runId>/store.json}, read by the head job through {@code NXF_SECRETS_FILE}.
 *
 * <p>Why it is written the way it is:
 * <ul>
 *   <li><b>Atomic replacement</b> (a temp file in the run directory, synced, then renamed over the store): a head
 *       job starting at any moment reads either the previous complete store or the new one, never a torn file,
 *       and a retry after a crash simply writes the whole set again.</li>
 *   <li><b>Owner-only permissions from creation</b> (directory 0700, file 0600, passed to the create call rather
 *       than set afterwards): on a shared filesystem any other user could open a file in the window between
 *       creating and narrowing it, and keep the descriptor.</li>
 *   <li><b>No symbolic links</b> below the configured root: whoever can write there could otherwise plant a link
 *       and make the service write secrets to, or delete, a place of their choosing. The event's path is confined
 *       to the allow-list for the same reason: an event must never choose where the service writes.</li>
 *   <li><b>Off the caller's thread</b>: the stream thread calls {@link #provision} and {@link #release}; shared
 *       filesystems can stall for seconds, so all I/O runs on the backend's executor.</li>
 * </ul>
 *
 * <p>Residual risk: the checks and the writes are separate path-based calls, so someone who can write inside the
 * secrets path could still race a directory swap between them. Keep allowed roots writable by the service only.
 */
public final class FilesystemBackend implements SecretsBackend {

    public static final String NAME = "filesystem";
    /** Threads of the executor a backend creates for itself; I/O-bound and rarely concurrent, so few. */
    static final int OWN_THREADS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(FilesystemBackend.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** How far below an allowed root the reconciler looks for marked run directories (secretsPath nesting). */
    static final int RECONCILE_DEPTH = 4;

    private final FilesystemBackendConfig config;
    private final RunStorePaths paths;
    private final Executor executor;
    private final ExecutorService ownedExecutor;

    /** A backend doing its I/O on {@code executor}, which the caller owns (and shuts down). */
    public FilesystemBackend(FilesystemBackendConfig config, Executor executor) {
        this(config, Objects.requireNonNull(executor, "executor"), null);
    }

    /** A backend with a small daemon thread pool of its own, shut down by {@link #close()}. */
    public FilesystemBackend(FilesystemBackendConfig config) {
        this(config, null, Executors.newFixedThreadPool(OWN_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "filesystem-backend-" + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }));
    }

    private FilesystemBackend(FilesystemBackendConfig config, Executor executor, ExecutorService ownedExecutor) {
        this.config = Objects.requireNonNull(config, "config");
        this.paths = new RunStorePaths(config);
        this.ownedExecutor = ownedExecutor;
        this.executor = executor != null ? executor : ownedExecutor;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets) {
        Objects.requireNonNull(run, "run");
        List<Secret> set = List.copyOf(secrets);
        List<String> names = set.stream().map(Secret::name).toList();
        return submit("provision", run, names, () -> {
            RunStore store = paths.resolve(run);
            byte[] content = NextflowStoreFormat.encode(set);
            try {
                RunStoreFiles.write(store, content, config.owner());
            } finally {
                Arrays.fill(content, (byte) 0);
            }
            LOG.info("Wrote the secrets store of run {} ({} secrets) to {}", run.runId(), names.size(),
                    store.storeFile());
            return outcomes(names, name -> new SecretOutcome.Created(name, store.storeFile().toString()));
        });
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets) {
        Objects.requireNonNull(run, "run");
        List<String> names = secrets.stream().map(StoredSecret::name).toList();
        return submit("release", run, names, () -> {
            RunStore store = paths.resolve(run);
            RunStoreFiles.Removal removal = RunStoreFiles.remove(store);
            if (removal.directoryRemoved()) {
                LOG.info("Released the secrets store of run {}: {} is gone", run.runId(), store.runDirectory());
            } else {
                LOG.warn("Removed the secrets store of run {} but left its directory {} in place: it holds {}"
                                + " entries the service did not write (or is not a directory)", run.runId(),
                        store.runDirectory(), removal.foreignEntries());
            }
            return outcomes(names, name -> new SecretOutcome.Deleted(name, store.storeFile().toString()));
        });
    }

    /** Every run directory below the allowed roots that carries this service's mark. */
    @Override
    public CompletableFuture<List<OwnedEntry>> listOwned() {
        return CompletableFuture.supplyAsync(() -> {
            List<OwnedEntry> owned = new ArrayList<>();
            for (Path root : config.allowedRoots()) {
                if (!Files.isDirectory(root)) {
                    // An unmounted shared filesystem: nothing to list there now, and nothing to conclude either.
                    LOG.warn("reconcile: allowed root {} is not a directory; skipped", root);
                    continue;
                }
                try {
                    for (RunStoreFiles.MarkedRun run : RunStoreFiles.markedRuns(root, config.owner(), RECONCILE_DEPTH)) {
                        owned.add(new OwnedEntry(NAME, run.runId(), run.runDirectory().toString(), run.markedAt(),
                                RunTarget.located(run.runId(), null, null, run.secretsPath().toString())));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list run directories under " + root, e);
                }
            }
            return owned;
        }, executor);
    }

    @Override
    public CompletableFuture<SecretOutcome> deleteOwned(OwnedEntry entry) {
        String name = entry.ref();
        return submit("reconcile", entry.where(), List.of(name), () -> {
            RunStore store = paths.resolve(entry.where());
            Optional<String> owner = RunStoreFiles.ownerOf(store);
            if (owner.isPresent() && !owner.get().equals(config.owner())) {
                throw StoreRefusal.permanent(NOT_OURS, "run directory '" + store.runDirectory()
                        + "' is marked by " + owner.get() + ", not " + config.owner() + "; left untouched");
            }
            if (owner.isEmpty() && Files.exists(store.runDirectory(), LinkOption.NOFOLLOW_LINKS)) {
                throw StoreRefusal.permanent(NOT_OURS, "run directory '" + store.runDirectory()
                        + "' has no managed-by mark; left untouched");
            }
            RunStoreFiles.Removal removal = RunStoreFiles.remove(store);
            LOG.info("reconcile: removed the leftover store of run {} at {}{}", entry.runId(), store.runDirectory(),
                    removal.directoryRemoved() ? "" : " (directory kept: it holds entries the service did not write)");
            return List.of(new SecretOutcome.Deleted(name, store.runDirectory().toString()));
        }).thenApply(outcomes -> outcomes.get(0));
    }

    /**
     * Where the run's store file is, or would be, or empty when the run may not have one (path outside the allowed
     * roots, invalid run id). Lexical only: says nothing about whether the file exists.
     */
    public Optional<Path> storeFile(RunTarget run) {
        return paths.storeFile(run);
    }

    /**
     * The run ids with a store under {@code secretsPath} (an allowed root or a directory inside one), sorted; for
     * reconciling leftovers. Blocking: call it off the stream thread.
     *
     * @throws IllegalArgumentException when {@code secretsPath} is outside the allowed roots
     * @throws IOException              when it cannot be listed (e.g. it does not exist)
     */
    public List<String> runDirectories(Path secretsPath) throws IOException {
        return RunStoreFiles.runDirectories(paths.allowedRoot(secretsPath));
    }

    /** Shuts down the executor the backend created for itself, if any, letting queued writes finish. */
    @Override
    public void close() {
        if (ownedExecutor == null) {
            return;
        }
        ownedExecutor.shutdown();
        try {
            if (!ownedExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                ownedExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            ownedExecutor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface StoreOperation {
        List<SecretOutcome> run() throws StoreRefusal, IOException;
    }

    private CompletableFuture<List<SecretOutcome>> submit(String operation, RunTarget run, List<String> names,
                                                          StoreOperation work) {
        // The work and its failure handling run on the executor's threads: give their log lines the run's id.
        try {
            return CompletableFuture.supplyAsync(() -> RunLogContext.withRunId(run.runId(),
                            () -> complete(operation, run, names, work)), executor)
                    .exceptionally(error -> RunLogContext.withRunId(run.runId(),
                            () -> failed(operation, run, names, internalError(error))));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(failed(operation, run, names,
                    BackendError.retryable(EXECUTOR_REJECTED, "the filesystem backend's executor refused the "
                            + operation + " (shutting down?)")));
        }
    }

    /** Every outcome of an operation comes from here: whatever happens, one outcome per secret, no values. */
    private static List<SecretOutcome> complete(String operation, RunTarget run, List<String> names,
                                                StoreOperation work) {
        try {
            return work.run();
        } catch (StoreRefusal refused) {
            return failed(operation, run, names, refused.error());
        } catch (IOException e) {
            return failed(operation, run, names, ioError(e, describedSecretsPath(run)));
        } catch (UncheckedIOException e) {
            return failed(operation, run, names, ioError(e.getCause(), describedSecretsPath(run)));
        } catch (DirectoryIteratorException e) {
            return failed(operation, run, names, ioError(e.getCause(), describedSecretsPath(run)));
        } catch (UnsupportedOperationException e) {
            return failed(operation, run, names, BackendError.permanent(PERMISSIONS_UNSUPPORTED,
                    "the filesystem cannot create files with POSIX permissions: " + e.getClass().getName()));
        } catch (RuntimeException e) {
            return failed(operation, run, names, internalError(e));
        }
    }

    private static String describedSecretsPath(RunTarget run) {
        return run.secretsPath() == null ? "the default root" : printable(run.secretsPath());
    }

    /** Names the class and the file, plus the OS's reason: none of these can hold the store's contents. */
    private static BackendError ioError(IOException e, String fallbackPath) {
        StringBuilder message = new StringBuilder(e.getClass().getName());
        if (e instanceof FileSystemException fileError) {
            if (fileError.getFile() != null) {
                message.append(" on '").append(printable(fileError.getFile())).append('\'');
            }
            if (fileError.getOtherFile() != null) {
                message.append(" -> '").append(printable(fileError.getOtherFile())).append('\'');
            }
            if (fileError.getReason() != null) {
                message.append(": ").append(printable(fileError.getReason()));
            }
        } else {
            message.append(" under ").append(fallbackPath);
        }
        return BackendError.retryable(IO_ERROR, message.toString());
    }

    private static BackendError internalError(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.error("Filesystem backend failed unexpectedly with {}", cause.getClass().getName());
        return BackendError.permanent(INTERNAL_ERROR, "unexpected " + cause.getClass().getName());
    }

    private static List<SecretOutcome> failed(String operation, RunTarget run, List<String> names, BackendError error) {
        LOG.warn("Filesystem {} of run {} failed ({} {}): {}", operation, printable(run.runId()), error.kind(),
                error.code(), error.message());
        return outcomes(names, name -> new SecretOutcome.Failed(name, error));
    }

    private static List<SecretOutcome> outcomes(List<String> names, Function<String, SecretOutcome> outcome) {
        return names.stream().map(outcome).toList();
    }
}
