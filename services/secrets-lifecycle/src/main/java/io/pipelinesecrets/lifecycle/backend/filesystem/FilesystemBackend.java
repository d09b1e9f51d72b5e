package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.backend.RunLogContext;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.EXECUTOR_REJECTED;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.INTERNAL_ERROR;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.IO_ERROR;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.NOT_OURS;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.PERMISSIONS_UNSUPPORTED;
import static io.pipelinesecrets.contracts.SafeText.printable;

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
 *       filesystems can stall for seconds (or, hard-mounted, for ever), so all I/O runs on a bounded pool per
 *       allowed root ({@link RootExecutors}): one hung share stalls only its own runs.</li>
 *   <li><b>Fenced</b>: a call withdrawn by its caller (past its deadline, or its task moved to another instance)
 *       does nothing once it reaches the pool, and a write withdrawn while under way stops before its rename: the
 *       store never appears after the run's new owner released it.</li>
 * </ul>
 *
 * <p>Residual risk: the checks and the writes are separate path-based calls, so someone who can write inside the
 * secrets path could still race a directory swap between them. Keep allowed roots writable by the service only.
 */
public final class FilesystemBackend implements SecretsBackend {

    public static final String NAME = "filesystem";

    private static final Logger LOG = LoggerFactory.getLogger(FilesystemBackend.class);

    /** How far below an allowed root the reconciler looks for marked run directories (secretsPath nesting). */
    static final int RECONCILE_DEPTH = 4;

    private final FilesystemBackendConfig config;
    private final RunStorePaths paths;
    private final RootExecutors executors;

    /** A backend doing its I/O on {@code executor}, which the caller owns (and shuts down). */
    public FilesystemBackend(FilesystemBackendConfig config, Executor executor) {
        this(config, RootExecutors.shared(Objects.requireNonNull(executor, "executor")));
    }

    /** A backend with small daemon thread pools of its own, one per allowed root ({@link RootExecutors}). */
    public FilesystemBackend(FilesystemBackendConfig config) {
        this(config, RootExecutors.perRoot());
    }

    private FilesystemBackend(FilesystemBackendConfig config, RootExecutors executors) {
        this.config = Objects.requireNonNull(config, "config");
        this.paths = new RunStorePaths(config);
        this.executors = executors;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets, CallFence fence) {
        Objects.requireNonNull(run, "run");
        List<Secret> set = List.copyOf(secrets);
        List<String> names = set.stream().map(Secret::name).toList();
        return submit("provision", run, names, fence, store -> {
            byte[] content = NextflowStoreFormat.encode(set);
            try {
                RunStoreFiles.write(store, content, mark(), fence);
            } finally {
                Arrays.fill(content, (byte) 0);
            }
            LOG.info("Wrote the secrets store of run {} ({} secrets) to {}", run.runId(), names.size(),
                    store.storeFile());
            return outcomes(names, name -> new SecretOutcome.Created(name, store.storeFile().toString()));
        });
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence) {
        Objects.requireNonNull(run, "run");
        List<String> names = secrets.stream().map(StoredSecret::name).toList();
        return submit("release", run, names, fence, store -> {
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
        List<CompletableFuture<List<OwnedEntry>>> perRoot = new ArrayList<>();
        for (Path root : config.allowedRoots()) {
            perRoot.add(CompletableFuture.supplyAsync(() -> listOwned(root), executors.forRoot(root)));
        }
        return CompletableFuture.allOf(perRoot.toArray(CompletableFuture[]::new))
                .thenApply(v -> perRoot.stream().flatMap(listing -> listing.join().stream()).toList());
    }

    private List<OwnedEntry> listOwned(Path root) {
        if (!Files.isDirectory(root)) {
            // An unmounted shared filesystem: nothing to list there now, and nothing to conclude either.
            LOG.warn("reconcile: allowed root {} is not a directory; skipped", root);
            return List.of();
        }
        List<OwnedEntry> owned = new ArrayList<>();
        try {
            for (RunStoreFiles.MarkedRun run : RunStoreFiles.markedRuns(root, mark(), RECONCILE_DEPTH)) {
                owned.add(new OwnedEntry(NAME, run.runId(), run.runDirectory().toString(), run.markedAt(),
                        RunTarget.located(run.runId(), null, null, run.secretsPath().toString())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list run directories under " + root, e);
        }
        return owned;
    }

    @Override
    public CompletableFuture<SecretOutcome> deleteOwned(OwnedEntry entry) {
        String name = entry.ref();
        return submit("reconcile", entry.where(), List.of(name), CallFence.open(), store -> {
            Optional<RunStoreFiles.Mark> owner = RunStoreFiles.markOf(store);
            // Exactly this deployment's mark: a leftover of another deployment, or of this one before deployments
            // were told apart, is never the reconciler's to delete.
            if (owner.isPresent() && !owner.get().equals(mark())) {
                throw StoreRefusal.permanent(NOT_OURS, "run directory '" + store.runDirectory()
                        + "' is marked by " + owner.get().owner() + " (deployment " + owner.get().deployment()
                        + "), not " + config.owner() + " (deployment " + config.deployment() + "); left untouched");
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

    private RunStoreFiles.Mark mark() {
        return new RunStoreFiles.Mark(config.owner(), config.deployment() == null ? null : config.deployment().mark());
    }

    /** Shuts down the executors the backend created for itself, if any, letting queued writes finish. */
    @Override
    public void close() {
        executors.close();
    }

    @FunctionalInterface
    private interface StoreOperation {
        List<SecretOutcome> run(RunStore store) throws StoreRefusal, IOException;
    }

    /**
     * Resolves where the run's store is (lexically, on the caller's thread: the root picks the executor), then does
     * the work on that root's executor unless the call was withdrawn while it waited in the queue.
     */
    private CompletableFuture<List<SecretOutcome>> submit(String operation, RunTarget run, List<String> names,
                                                          CallFence fence, StoreOperation work) {
        RunStore store;
        try {
            store = paths.resolve(run);
        } catch (StoreRefusal refused) {
            return CompletableFuture.completedFuture(failed(operation, run, names, refused.error()));
        }
        // The work and its failure handling run on the executor's threads: give their log lines the run's id.
        try {
            return CompletableFuture.supplyAsync(() -> RunLogContext.withRunId(run.runId(),
                            () -> fence.isWithdrawn() ? failed(operation, run, names, fence.withdrawnError())
                                    : complete(operation, run, names, () -> work.run(store))),
                            executors.forRoot(store.root()))
                    .exceptionally(error -> RunLogContext.withRunId(run.runId(),
                            () -> failed(operation, run, names, internalError(error))));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(failed(operation, run, names,
                    BackendError.retryable(EXECUTOR_REJECTED, "the filesystem backend's executor for "
                            + store.root() + " refused the " + operation + " (saturated or shutting down)")));
        }
    }

    @FunctionalInterface
    private interface ResolvedOperation {
        List<SecretOutcome> run() throws StoreRefusal, IOException;
    }

    /** Every outcome of an operation comes from here: whatever happens, one outcome per secret, no values. */
    private static List<SecretOutcome> complete(String operation, RunTarget run, List<String> names,
                                                ResolvedOperation work) {
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
