package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.run.BackendCatalog;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which backend serves which compute-environment platform. HPC schedulers share a filesystem with their head
 * job, so they get the filesystem store; AWS Batch gets AWS Secrets Manager; Google Batch and Life Sciences get
 * Google Secret Manager. A platform maps to a backend only
 * when that backend is configured in this service; otherwise the run fails with UNSUPPORTED_PLATFORM.
 */
public record PlatformRouting(Map<String, String> backendByPlatform, Set<String> configuredBackends)
        implements BackendCatalog {

    public static final String FILESYSTEM = "filesystem";
    public static final String AWS_SECRETS_MANAGER = "aws-secretsmanager";
    public static final String GOOGLE_SECRET_MANAGER = "google-secretmanager";

    /** The platforms of docs/design.md §4 and their natural backend. */
    public static final Map<String, String> DEFAULT_ROUTES = Map.ofEntries(
            Map.entry("slurm", FILESYSTEM), Map.entry("lsf", FILESYSTEM), Map.entry("pbs", FILESYSTEM),
            Map.entry("pbspro", FILESYSTEM), Map.entry("sge", FILESYSTEM), Map.entry("uge", FILESYSTEM),
            Map.entry("moab", FILESYSTEM), Map.entry("altair", FILESYSTEM), Map.entry("local", FILESYSTEM),
            Map.entry("aws-batch", AWS_SECRETS_MANAGER), Map.entry("google-batch", GOOGLE_SECRET_MANAGER),
            Map.entry("google-lifesciences", GOOGLE_SECRET_MANAGER));

    public PlatformRouting {
        backendByPlatform = Map.copyOf(backendByPlatform);
        configuredBackends = Set.copyOf(configuredBackends);
    }

    public static PlatformRouting defaults(Set<String> configuredBackends) {
        return new PlatformRouting(DEFAULT_ROUTES, configuredBackends);
    }

    @Override
    public Optional<String> backendFor(String platform) {
        if (platform == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(backendByPlatform.get(platform.toLowerCase(Locale.ROOT)))
                .filter(configuredBackends::contains);
    }
}
