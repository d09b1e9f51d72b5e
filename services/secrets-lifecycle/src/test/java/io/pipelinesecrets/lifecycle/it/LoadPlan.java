package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.testing.events.Events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The workload of a fault suite: a fixed universe of workspace and user secrets (some user secrets override a
 * workspace one of the same name), and a seeded stream of runs, each with its owners, its compute environment
 * (Slurm on the shared filesystem, AWS Batch or Google Batch) and whether and when it completes. Knows each run's
 * expected merged set, so the end state can be checked without asking the service. Every value carries
 * {@link #CANARY}.
 */
final class LoadPlan {

    static final String CANARY = "canary-faults-5e1f";
    static final String REGION = "us-east-1";
    static final String GOOGLE_REGION = "us-central1";
    /** The project the service's Google backend writes every Google Batch run's secrets to (from its configuration). */
    static final String GOOGLE_PROJECT = "tower-faults-1";

    enum Platform {
        SLURM,
        AWS,
        GOOGLE
    }

    /** One run of the load; {@code completes} false means it is still active when the suite ends. */
    record Run(String runId, String workspaceId, String userId, Platform platform, boolean completes,
               Duration completionDelay) {
    }

    private static final List<String> WORKSPACES = List.of("ws-a", "ws-b", "ws-c", "ws-d");
    private static final List<String> USERS = List.of("user-1", "user-2", "user-3", "user-4", "user-5", "user-6");

    private final String runPrefix;
    private final String filesystemRoot;
    private final List<Platform> platforms;
    private final double completingShare;
    private final Duration minDelay;
    private final Duration maxDelay;
    private final Random random;
    private final Map<String, Map<String, String>> workspaceSecrets = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> userSecrets = new LinkedHashMap<>();
    private final List<Run> runs = new ArrayList<>();

    /**
     * @param completingShare share of runs that complete (the others stay active)
     * @param minDelay        shortest time between a run's launch and its completion
     */
    LoadPlan(long seed, String runPrefix, String filesystemRoot, List<Platform> platforms, double completingShare,
             Duration minDelay, Duration maxDelay) {
        this.runPrefix = runPrefix;
        this.filesystemRoot = filesystemRoot;
        this.platforms = List.copyOf(platforms);
        this.completingShare = completingShare;
        this.minDelay = minDelay;
        this.maxDelay = maxDelay;
        this.random = new Random(seed);
        for (int w = 0; w < WORKSPACES.size(); w++) {
            Map<String, String> secrets = new TreeMap<>();
            for (String name : w % 2 == 0 ? List.of("DB_PASSWORD", "API_TOKEN", "S3_KEY") : List.of("DB_PASSWORD", "API_TOKEN")) {
                secrets.put(name, value("workspace", WORKSPACES.get(w), name));
            }
            workspaceSecrets.put(WORKSPACES.get(w), secrets);
        }
        for (int u = 0; u < USERS.size(); u++) {
            Map<String, String> secrets = new TreeMap<>();
            // Every other user overrides the workspace's API_TOKEN: the user's value must win.
            for (String name : u % 2 == 0 ? List.of("API_TOKEN", "GITHUB_TOKEN") : List.of("GITHUB_TOKEN")) {
                secrets.put(name, value("user", USERS.get(u), name));
            }
            userSecrets.put(USERS.get(u), secrets);
        }
    }

    List<SecretRecord> secretRecords() {
        List<SecretRecord> records = new ArrayList<>();
        workspaceSecrets.forEach((owner, secrets) -> secrets.forEach((name, value) ->
                records.add(Events.workspaceSecret(owner, name, value).build())));
        userSecrets.forEach((owner, secrets) -> secrets.forEach((name, value) ->
                records.add(Events.userSecret(owner, name, value).build())));
        return records;
    }

    /** The next run of the stream (deterministic for a seed). */
    synchronized Run next() {
        String runId = String.format("%s-%05d", runPrefix, runs.size());
        Run run = new Run(runId, WORKSPACES.get(random.nextInt(WORKSPACES.size())), USERS.get(random.nextInt(USERS.size())),
                platforms.get(random.nextInt(platforms.size())), random.nextDouble() < completingShare,
                minDelay.plusMillis((long) (random.nextDouble() * (maxDelay.toMillis() - minDelay.toMillis()))));
        runs.add(run);
        return run;
    }

    synchronized List<Run> runs() {
        return List.copyOf(runs);
    }

    /** The merged set a run must hold while active: its workspace's secrets, then its user's, which win. */
    Map<String, String> expectedSet(Run run) {
        Map<String, String> merged = new TreeMap<>(workspaceSecrets.get(run.workspaceId()));
        merged.putAll(userSecrets.get(run.userId()));
        return merged;
    }

    WorkflowLaunched launch(Run run) {
        return Events.launched(run.runId()).setWorkspaceId(run.workspaceId()).setUserId(run.userId())
                .setComputeEnv(switch (run.platform()) {
                    case SLURM -> Events.slurm(filesystemRoot);
                    case AWS -> Events.awsBatch(REGION);
                    case GOOGLE -> Events.googleBatch(GOOGLE_REGION);
                })
                .build();
    }

    WorkflowCompleted completion(Run run) {
        return Events.completed(run.runId()).setWorkspaceId(run.workspaceId()).build();
    }

    /** The Secrets Manager name the service gives a run's secret (the default name template). */
    static String awsName(String runId, String name) {
        return "tower-" + runId + "/" + name;
    }

    /** The Secret Manager name the service gives a run's secret: global, in {@link #GOOGLE_PROJECT}, default ids. */
    static String googleName(String runId, String name) {
        return "projects/" + GOOGLE_PROJECT + "/secrets/tower-" + runId + "-" + name;
    }

    private static String value(String scope, String owner, String name) {
        return CANARY + "-" + scope + "-" + owner + "-" + name;
    }
}
