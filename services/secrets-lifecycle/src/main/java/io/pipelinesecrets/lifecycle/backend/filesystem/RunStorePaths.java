package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.contracts.RunIds;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import static io.pipelinesecrets.contracts.SafeText.printable;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.INVALID_RUN_ID;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.PATH_NOT_ALLOWED;

/**
 * Decides, without touching the filesystem, where a run's store may live. Everything here comes from the launch
 * event, i.e. from outside the service, so it is checked lexically first: only what passes is ever handed to
 * {@link RunStoreFiles}, which then checks what is really on disk (symbolic links, missing directories).
 */
final class RunStorePaths {

    static final String STORE_FILE_NAME = "store.json";

    private final FilesystemBackendConfig config;

    RunStorePaths(FilesystemBackendConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The run's store, or the permanent reason the event may not have one there. */
    RunStore resolve(RunTarget run) throws StoreRefusal {
        Path secretsPath = secretsPath(run);
        Path root = config.rootContaining(secretsPath).orElseThrow(() -> StoreRefusal.permanent(PATH_NOT_ALLOWED,
                "secrets path '" + printable(secretsPath.toString()) + "' is not inside any allowed root "
                        + config.allowedRoots() + " (" + FilesystemBackendConfig.ALLOWED_ROOTS_KEY + ")"));
        Optional<String> unbound = boundRefusal(run, secretsPath);
        if (unbound.isPresent()) {
            throw StoreRefusal.permanent(PATH_NOT_ALLOWED, unbound.get());
        }
        String runId = run.runId();
        Optional<String> problem = RunIds.problem(runId);
        if (problem.isPresent()) {
            throw StoreRefusal.permanent(INVALID_RUN_ID, problem.get());
        }
        // RunIds already excludes separators and dot-names; this holds even if that rule is ever loosened.
        Path runDirectory = secretsPath.resolve(runId).normalize();
        if (!secretsPath.equals(runDirectory.getParent()) || !runDirectory.getFileName().toString().equals(runId)) {
            throw StoreRefusal.permanent(INVALID_RUN_ID, "run id '" + printable(runId)
                    + "' does not name a directory directly under the secrets path");
        }
        return new RunStore(runId, root, secretsPath, runDirectory, runDirectory.resolve(STORE_FILE_NAME));
    }

    /**
     * The compute environment's binding. A target naming no compute environment is a {@link RunTarget#located}
     * one, the reconciler's, found by listing the allowed roots themselves (launch events always name one), so only
     * the allowed roots apply to it.
     */
    private Optional<String> boundRefusal(RunTarget run, Path secretsPath) {
        return run.computeEnvId().isEmpty() ? Optional.empty() : config.bindings().refusal(run.computeEnvId(), secretsPath);
    }

    /** The run's store file, or empty when the run may not have one (the reason is what {@link #resolve} says). */
    Optional<Path> storeFile(RunTarget run) {
        try {
            return Optional.of(resolve(run).storeFile());
        } catch (StoreRefusal refused) {
            return Optional.empty();
        }
    }

    /**
     * An allowed root itself, or fails the way a run's secrets path would. For callers that pass a root from
     * configuration rather than from an event (the reconciler), so a typo does not silently scan elsewhere.
     */
    Path allowedRoot(Path root) {
        Objects.requireNonNull(root, "root");
        Path normalised = root.toAbsolutePath().normalize();
        if (config.rootContaining(normalised).isEmpty()) {
            throw new IllegalArgumentException("'" + printable(root.toString()) + "' is not inside any allowed root "
                    + config.allowedRoots() + " (" + FilesystemBackendConfig.ALLOWED_ROOTS_KEY + ")");
        }
        return normalised;
    }

    private Path secretsPath(RunTarget run) throws StoreRefusal {
        String requested = run.secretsPath();
        if (requested == null) {
            return config.defaultRootIfSet().orElseThrow(() -> StoreRefusal.permanent(PATH_NOT_ALLOWED,
                    "the run names no secrets path and " + FilesystemBackendConfig.DEFAULT_ROOT_KEY
                            + " is not set; allowed roots " + config.allowedRoots()));
        }
        Path path;
        try {
            path = Path.of(requested);
        } catch (InvalidPathException e) {
            throw StoreRefusal.permanent(PATH_NOT_ALLOWED, "secrets path '" + printable(requested)
                    + "' is not a valid path; allowed roots " + config.allowedRoots());
        }
        if (!path.isAbsolute()) {
            throw StoreRefusal.permanent(PATH_NOT_ALLOWED, "secrets path '" + printable(requested)
                    + "' is not absolute; allowed roots " + config.allowedRoots());
        }
        // Refused rather than normalised: an event spelling '..' is not one to second-guess.
        if (!path.equals(path.normalize())) {
            throw StoreRefusal.permanent(PATH_NOT_ALLOWED, "secrets path '" + printable(requested)
                    + "' contains '.' or '..' components; allowed roots " + config.allowedRoots());
        }
        return path;
    }
}
