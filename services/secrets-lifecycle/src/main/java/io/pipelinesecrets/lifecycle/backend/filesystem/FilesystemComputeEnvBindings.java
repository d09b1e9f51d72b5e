package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.contracts.SafeText;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which directories each compute environment's runs may use, narrower than {@code filesystem.allowed-roots}: a
 * launch from one tenant's HPC compute environment cannot name another tenant's directory, even one under a shared
 * allowed root. A binding names the compute environment the launch event names: it stops a workspace from writing
 * into another compute environment's directories, not a producer that lies about the compute environment.
 *
 * @param roots    per compute environment id, {@code filesystem.compute-env.<id>.roots}: absolute directories,
 *                 each inside an allowed root; stored normalised
 * @param required whether a compute environment without a binding may use no directory at all
 *                 ({@code filesystem.require-compute-env-binding})
 */
public record FilesystemComputeEnvBindings(Map<String, List<Path>> roots, boolean required) {

    public static final String REQUIRED_KEY = "filesystem.require-compute-env-binding";
    public static final FilesystemComputeEnvBindings NONE = new FilesystemComputeEnvBindings(Map.of(), false);

    public FilesystemComputeEnvBindings {
        Objects.requireNonNull(roots, "roots");
        Map<String, List<Path>> normalised = new TreeMap<>();
        roots.forEach((computeEnvId, paths) -> normalised.put(computeEnvId,
                paths.stream().map(path -> path.isAbsolute() ? path.normalize() : path).toList()));
        roots = Map.copyOf(normalised);
    }

    public static String key(String computeEnvId) {
        return "filesystem.compute-env." + computeEnvId + ".roots";
    }

    /** Every binding that is empty, relative or outside the allowed roots, one line each naming its key. */
    public List<String> problems(List<Path> allowedRoots) {
        List<String> problems = new ArrayList<>();
        roots.forEach((computeEnvId, paths) -> {
            if (paths.isEmpty()) {
                problems.add(key(computeEnvId) + " is empty: list the directories the compute environment may use, or"
                        + " remove the key");
            }
            for (Path path : paths) {
                if (!path.isAbsolute()) {
                    problems.add(key(computeEnvId) + ": '" + path + "' is not absolute; give an absolute directory");
                } else if (allowedRoots.stream().map(Path::normalize).noneMatch(path::startsWith)) {
                    problems.add(key(computeEnvId) + ": '" + path + "' is not inside any of "
                            + FilesystemBackendConfig.ALLOWED_ROOTS_KEY + " " + allowedRoots + "; a compute environment's"
                            + " binding only narrows the allowed roots, so move it under one or add it there too");
                }
            }
        });
        return problems;
    }

    /**
     * Why a run of this compute environment may not use {@code secretsPath} (normalised, absolute, already inside an
     * allowed root), or empty when it may.
     */
    Optional<String> refusal(String computeEnvId, Path secretsPath) {
        List<Path> bound = roots.get(computeEnvId);
        // Both come from the launch event: escaped so they cannot forge log lines.
        String shownId = SafeText.printable(computeEnvId);
        if (bound == null) {
            return required ? Optional.of("compute environment " + shownId + " has no " + key(shownId)
                    + " and " + REQUIRED_KEY + " is true, so it may use no directory") : Optional.empty();
        }
        return bound.stream().anyMatch(secretsPath::startsWith) ? Optional.empty()
                : Optional.of("secrets path " + SafeText.quoted(secretsPath.toString()) + " is not inside the directories"
                        + " compute environment " + shownId + " may use (" + key(shownId) + " " + bound + ")");
    }
}
