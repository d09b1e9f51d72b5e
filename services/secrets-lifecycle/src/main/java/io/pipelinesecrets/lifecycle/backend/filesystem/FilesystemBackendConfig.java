package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.Deployment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the filesystem backend may write. Events only ever choose a directory <em>inside</em> one of these roots,
 * so the allow-list is the whole defence against an event steering the service's writes; it is validated here,
 * once, so a misconfiguration stops the service at start rather than failing runs one by one.
 *
 * @param allowedRoots absolute directories (config key {@value #ALLOWED_ROOTS_KEY}); stored normalised
 * @param defaultRoot  the secrets path for runs whose event names none (config key {@value #DEFAULT_ROOT_KEY});
 *                     {@code null} when such runs should fail instead; stored normalised
 * @param owner        the managed-by mark written into every run directory (the service's {@code instance.id}); the
 *                     reconciler only ever deletes run directories carrying it
 * @param deployment   the deployment written into the mark beside the owner, or null where none is known (tools and
 *                     tests that run without Kafka); the reconciler only deletes marks of its own deployment
 * @param bindings     which directories inside the allowed roots each compute environment may use
 */
public record FilesystemBackendConfig(List<Path> allowedRoots, Path defaultRoot, String owner, Deployment deployment,
                                      FilesystemComputeEnvBindings bindings) {

    /** The default {@code instance.id}. */
    public static final String DEFAULT_OWNER = "secrets-lifecycle";

    public static final String ALLOWED_ROOTS_KEY = "filesystem.allowed-roots";
    public static final String DEFAULT_ROOT_KEY = "filesystem.default-root";

    public FilesystemBackendConfig {
        if (allowedRoots == null || allowedRoots.isEmpty()) {
            throw new IllegalArgumentException(ALLOWED_ROOTS_KEY + " is empty: configure at least one absolute"
                    + " directory the service may write run secrets under, e.g. " + ALLOWED_ROOTS_KEY
                    + "=/shared/nextflow-secrets");
        }
        List<Path> roots = new ArrayList<>();
        for (Path root : allowedRoots) {
            if (root == null) {
                throw new IllegalArgumentException(ALLOWED_ROOTS_KEY + " contains an empty entry: remove it or"
                        + " give an absolute directory");
            }
            if (!root.isAbsolute()) {
                throw new IllegalArgumentException(ALLOWED_ROOTS_KEY + " entry '" + root + "' is not absolute:"
                        + " give an absolute directory such as /shared/nextflow-secrets");
            }
            roots.add(root.normalize());
        }
        allowedRoots = List.copyOf(roots);
        if (defaultRoot != null) {
            if (!defaultRoot.isAbsolute()) {
                throw new IllegalArgumentException(DEFAULT_ROOT_KEY + " '" + defaultRoot + "' is not absolute:"
                        + " give an absolute directory inside one of " + ALLOWED_ROOTS_KEY + " " + allowedRoots);
            }
            Path normalised = defaultRoot.normalize();
            if (roots.stream().noneMatch(normalised::startsWith)) {
                throw new IllegalArgumentException(DEFAULT_ROOT_KEY + " '" + defaultRoot + "' is not inside any"
                        + " of " + ALLOWED_ROOTS_KEY + " " + allowedRoots + ": move it under one of them or add"
                        + " its directory to " + ALLOWED_ROOTS_KEY);
            }
            defaultRoot = normalised;
        }
        if (owner == null || owner.isBlank() || owner.length() > 200 || !owner.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("instance.id '" + owner + "' cannot be the filesystem backend's"
                    + " managed-by mark: use 1-200 printable characters without spaces");
        }
        Objects.requireNonNull(bindings, "bindings");
        List<String> bindingProblems = bindings.problems(allowedRoots);
        if (!bindingProblems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", bindingProblems));
        }
    }

    public FilesystemBackendConfig(List<Path> allowedRoots, Path defaultRoot, String owner, Deployment deployment) {
        this(allowedRoots, defaultRoot, owner, deployment, FilesystemComputeEnvBindings.NONE);
    }

    public FilesystemBackendConfig(List<Path> allowedRoots, Path defaultRoot, String owner) {
        this(allowedRoots, defaultRoot, owner, null);
    }

    public FilesystemBackendConfig(List<Path> allowedRoots, Path defaultRoot) {
        this(allowedRoots, defaultRoot, DEFAULT_OWNER);
    }

    /** The same configuration for the deployment the service found itself in at start. */
    public FilesystemBackendConfig withDeployment(Deployment newDeployment) {
        return new FilesystemBackendConfig(allowedRoots, defaultRoot, owner, newDeployment, bindings);
    }

    /** The same configuration with compute environments bound to directories inside the allowed roots. */
    public FilesystemBackendConfig withBindings(FilesystemComputeEnvBindings newBindings) {
        return new FilesystemBackendConfig(allowedRoots, defaultRoot, owner, deployment, newBindings);
    }

    /** A configuration without a default root: runs whose event names no secrets path fail. */
    public FilesystemBackendConfig(List<Path> allowedRoots) {
        this(allowedRoots, null);
    }

    public Optional<Path> defaultRootIfSet() {
        return Optional.ofNullable(defaultRoot);
    }

    /**
     * The most specific allowed root containing the (normalised, absolute) path. The most specific one, because a
     * configured root is trusted as it is (it may itself be a symbolic link an administrator set up), while every
     * directory below it is checked.
     */
    Optional<Path> rootContaining(Path path) {
        return allowedRoots.stream()
                .filter(path::startsWith)
                .max(Comparator.comparingInt(Path::getNameCount));
    }
}
