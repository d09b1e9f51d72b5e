package io.pipelinesecrets.lifecycle.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.grpc.Status;
import io.pipelinesecrets.lifecycle.run.AuditReasons;
import io.pipelinesecrets.testing.aws.SecretCall;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;
import io.pipelinesecrets.testing.gcp.SecretManagerState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The end-state checks every fault suite shares, once the load has converged:
 * <ul>
 *   <li>backends: a completed run has nothing left; a still-active run holds exactly its merged set (user values
 *       winning); nothing else is there — the shared filesystem is listed, the Secrets Manager and Secret Manager
 *       doubles asked;</li>
 *   <li>the Secrets Manager double's call log: each name was created once (a repeated CreateSecret with the same
 *       token is an idempotent replay, and counted as such), and no create was refused as a conflict;</li>
 *   <li>the Secret Manager double's changes: each name was created once (a create answered ALREADY_EXISTS and
 *       adopted is counted apart) and never given the same value twice; every secret of a run reported provisioned
 *       was created and given its value;</li>
 *   <li>the audit topic, de-duplicated by event id: per run exactly one SECRET_CREATED per secret and one
 *       SECRETS_PROVISIONED, and for a completed run one SECRET_DELETED per secret and one SECRETS_RELEASED;
 *       no other action unless the suite allows it (e.g. retries under backend faults). Two other outcomes of a
 *       completed run are legitimate and counted apart: completed while its provisioning was still being retried
 *       (released with COMPLETED_DURING_PROVISIONING, never provisioned), and completion processed before the launch
 *       (COMPLETION_WITHOUT_LAUNCH, then the launch skipped).</li>
 * </ul>
 * Counts what it finds as leaked, missing or duplicated; the suites assert all three are zero.
 */
final class EndState {

    private static final Set<AuditAction> LIFECYCLE = Set.of(AuditAction.SECRET_CREATED, AuditAction.SECRETS_PROVISIONED,
            AuditAction.SECRET_DELETED, AuditAction.SECRETS_RELEASED);
    /** What a completion processed before its launch leaves: checked per run, not counted as other actions. */
    private static final Set<AuditAction> BEFORE_LAUNCH = Set.of(AuditAction.COMPLETION_WITHOUT_LAUNCH,
            AuditAction.LAUNCH_SKIPPED);
    private static final int SHOWN_PROBLEMS = 25;

    /**
     * What was found. {@code duplicatesBeforeDedup}: audit records whose event id had been seen already;
     * {@code googleAdoptions}: Google creates answered ALREADY_EXISTS (a retry after a create whose version was not
     * added), or null when the suite has no Secret Manager double.
     */
    record Figures(int runs, int completed, int active, int releasedDuringProvisioning, int completedBeforeLaunch,
                   int auditEvents,
                   int duplicatesBeforeDedup, int leaked, int missing, int duplicated, long idempotentReplays,
                   Long googleAdoptions, Map<AuditAction, Long> otherActions, List<String> problems) {

        String summary() {
            return String.format("runs %d (%d completed, %d of them while still provisioning, %d before their launch"
                            + " was processed; %d still active), audit events %d (%d duplicate records before"
                            + " de-duplication), leaked %d, missing %d, duplicated %d, idempotent create replays %d%s, other"
                            + " audit actions %s", runs, completed, releasedDuringProvisioning, completedBeforeLaunch, active,
                    auditEvents, duplicatesBeforeDedup, leaked, missing, duplicated, idempotentReplays,
                    googleAdoptions == null ? "" : ", Google creates adopted " + googleAdoptions, otherActions);
        }
    }

    private final LoadPlan plan;
    private final Set<AuditAction> allowedOtherActions;
    private final List<String> problems = new ArrayList<>();
    private int leaked;
    private int missing;
    private int duplicated;
    private int releasedDuringProvisioning;
    private int completedBeforeLaunch;

    private EndState(LoadPlan plan, Set<AuditAction> allowedOtherActions) {
        this.plan = plan;
        this.allowedOtherActions = allowedOtherActions;
    }

    /**
     * @param filesystemRoot the allowed root the Slurm runs write under, or null when the suite has none
     * @param sm             the Secrets Manager double, or null
     */
    static Figures check(LoadPlan plan, List<LoadPlan.Run> runs, Predicate<String> completionSent, List<AuditEvent> audit,
                         Path filesystemRoot, SecretsManagerDouble sm, Set<AuditAction> allowedOtherActions) {
        return check(plan, runs, completionSent, audit, filesystemRoot, sm, null, allowedOtherActions);
    }

    /** @param google the Secret Manager double the Google Batch runs write to, or null */
    static Figures check(LoadPlan plan, List<LoadPlan.Run> runs, Predicate<String> completionSent, List<AuditEvent> audit,
                         Path filesystemRoot, SecretsManagerDouble sm, SecretManagerDouble google,
                         Set<AuditAction> allowedOtherActions) {
        EndState state = new EndState(plan, allowedOtherActions);
        Map<String, LoadPlan.Run> active = new HashMap<>();
        runs.stream().filter(run -> !completionSent.test(run.runId())).forEach(run -> active.put(run.runId(), run));
        Map<AuditAction, Long> others = state.checkAudit(runs, completionSent, audit);
        if (filesystemRoot != null) {
            state.checkFilesystem(filesystemRoot, active);
        }
        long replays = 0;
        if (sm != null) {
            replays = state.checkSecretsManager(sm, active);
        }
        Long adoptions = null;
        if (google != null) {
            adoptions = state.checkSecretManager(google, runs, active, audit);
        }
        int distinct = (int) audit.stream().map(AuditEvent::getEventId).distinct().count();
        return new Figures(runs.size(), runs.size() - active.size(), active.size(), state.releasedDuringProvisioning,
                state.completedBeforeLaunch, distinct, audit.size() - distinct,
                state.leaked, state.missing, state.duplicated, replays, adoptions, others,
                List.copyOf(state.problems.subList(0, Math.min(SHOWN_PROBLEMS, state.problems.size()))));
    }

    private Map<AuditAction, Long> checkAudit(List<LoadPlan.Run> runs, Predicate<String> completionSent,
                                              List<AuditEvent> audit) {
        Map<String, AuditEvent> byId = new HashMap<>();
        for (AuditEvent event : audit) {
            AuditEvent first = byId.putIfAbsent(event.getEventId(), event);
            if (first != null && (first.getAction() != event.getAction() || !String.valueOf(first.getRunId())
                    .equals(String.valueOf(event.getRunId())))) {
                problem("event id " + event.getEventId() + " names two different events: " + first.getAction() + " of "
                        + first.getRunId() + " and " + event.getAction() + " of " + event.getRunId());
            }
        }
        Map<String, Map<AuditAction, Long>> counts = new HashMap<>();
        Map<String, String> releaseReasons = new HashMap<>();
        Map<AuditAction, Long> others = new EnumMap<>(AuditAction.class);
        for (AuditEvent event : byId.values()) {
            counts.computeIfAbsent(String.valueOf(event.getRunId()), r -> new EnumMap<>(AuditAction.class))
                    .merge(event.getAction(), 1L, Long::sum);
            if (event.getAction() == AuditAction.SECRETS_RELEASED) {
                releaseReasons.put(event.getRunId(), String.valueOf(event.getReason()));
            }
            if (!LIFECYCLE.contains(event.getAction()) && !BEFORE_LAUNCH.contains(event.getAction())) {
                others.merge(event.getAction(), 1L, Long::sum);
                if (!allowedOtherActions.contains(event.getAction())) {
                    problem("unexpected " + event.getAction() + " for " + event.getRunId() + ": " + event.getErrorCode()
                            + " " + event.getReason());
                }
            }
        }
        Set<String> known = new HashSet<>();
        for (LoadPlan.Run run : runs) {
            known.add(run.runId());
            int secrets = plan.expectedSet(run).size();
            boolean completed = completionSent.test(run.runId());
            Map<AuditAction, Long> actual = counts.getOrDefault(run.runId(), Map.of());
            if (completed && actual.containsKey(AuditAction.COMPLETION_WITHOUT_LAUNCH)) {
                // The completion was processed before the launch (legitimate when the platform's events arrive out
                // of order): released at once, and the launch skipped when it came — so it must have come.
                completedBeforeLaunch++;
                expect(run.runId(), actual, AuditAction.COMPLETION_WITHOUT_LAUNCH, 1);
                expect(run.runId(), actual, AuditAction.LAUNCH_SKIPPED, 1);
                for (AuditAction action : LIFECYCLE) {
                    expect(run.runId(), actual, action, 0);
                }
                continue;
            }
            for (AuditAction action : BEFORE_LAUNCH) {
                expect(run.runId(), actual, action, 0);
            }
            if (completed && AuditReasons.COMPLETED_DURING_PROVISIONING.equals(releaseReasons.get(run.runId()))) {
                // Completed while its provisioning was still being retried: released without ever being provisioned,
                // whatever part had been created deleted.
                releasedDuringProvisioning++;
                expectAtMost(run.runId(), actual, AuditAction.SECRET_CREATED, secrets);
                expect(run.runId(), actual, AuditAction.SECRETS_PROVISIONED, 0);
                expectAtMost(run.runId(), actual, AuditAction.SECRET_DELETED, secrets);
                expect(run.runId(), actual, AuditAction.SECRETS_RELEASED, 1);
                continue;
            }
            expect(run.runId(), actual, AuditAction.SECRET_CREATED, secrets);
            expect(run.runId(), actual, AuditAction.SECRETS_PROVISIONED, 1);
            expect(run.runId(), actual, AuditAction.SECRET_DELETED, completed ? secrets : 0);
            expect(run.runId(), actual, AuditAction.SECRETS_RELEASED, completed ? 1 : 0);
        }
        counts.keySet().stream().filter(runId -> !known.contains(runId))
                .forEach(runId -> problem("audit events for a run the load never launched: " + runId));
        return others;
    }

    private void expect(String runId, Map<AuditAction, Long> actual, AuditAction action, long expected) {
        long seen = actual.getOrDefault(action, 0L);
        if (seen < expected) {
            missing += (int) (expected - seen);
            problem(runId + ": " + seen + " " + action + " instead of " + expected);
        } else if (seen > expected) {
            duplicated += (int) (seen - expected);
            problem(runId + ": " + seen + " " + action + " instead of " + expected);
        }
    }

    private void expectAtMost(String runId, Map<AuditAction, Long> actual, AuditAction action, long most) {
        long seen = actual.getOrDefault(action, 0L);
        if (seen > most) {
            duplicated += (int) (seen - most);
            problem(runId + ": " + seen + " " + action + ", more than " + most);
        }
    }

    private void checkFilesystem(Path root, Map<String, LoadPlan.Run> active) {
        ObjectMapper json = new ObjectMapper();
        Set<String> found = new HashSet<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path directory : entries.toList()) {
                String runId = directory.getFileName().toString();
                LoadPlan.Run run = active.get(runId);
                if (run == null || run.platform() != LoadPlan.Platform.SLURM) {
                    leaked++;
                    problem("left on the filesystem: " + directory);
                    continue;
                }
                found.add(runId);
                try (Stream<Path> files = Files.list(directory)) {
                    // The store and the service's managed-by mark (what the reconciler goes by); anything else is a leak.
                    files.filter(f -> !Set.of("store.json", ".managed-by").contains(f.getFileName().toString())).forEach(f -> {
                        leaked++;
                        problem("stray file " + f);
                    });
                }
                Path store = directory.resolve("store.json");
                Map<String, String> content = new HashMap<>();
                if (Files.exists(store)) {
                    for (JsonNode entry : json.readTree(store.toFile())) {
                        content.put(entry.get("name").asText(), entry.get("value").asText());
                    }
                }
                compare(runId, content, plan.expectedSet(run));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        active.values().stream().filter(run -> run.platform() == LoadPlan.Platform.SLURM && !found.contains(run.runId()))
                .forEach(run -> {
                    missing += plan.expectedSet(run).size();
                    problem("no store for active run " + run.runId());
                });
    }

    private long checkSecretsManager(SecretsManagerDouble sm, Map<String, LoadPlan.Run> active) {
        Map<String, Map<String, String>> live = new HashMap<>();
        for (String name : sm.liveSecretNames()) {
            int slash = name.indexOf('/');
            String runId = name.startsWith("tower-") && slash > 0 ? name.substring("tower-".length(), slash) : null;
            LoadPlan.Run run = runId == null ? null : active.get(runId);
            if (run == null || run.platform() != LoadPlan.Platform.AWS) {
                leaked++;
                problem("left in Secrets Manager: " + name);
                continue;
            }
            String value = sm.secret(name).flatMap(s -> s.currentValue()).map(v -> v.asString()).orElse(null);
            live.computeIfAbsent(runId, r -> new HashMap<>()).put(name.substring(slash + 1), value);
        }
        active.values().stream().filter(run -> run.platform() == LoadPlan.Platform.AWS)
                .forEach(run -> compare(run.runId(), live.getOrDefault(run.runId(), Map.of()), plan.expectedSet(run)));

        List<SecretCall> calls = sm.stats().calls();
        Map<String, Long> createdPerName = calls.stream()
                .filter(c -> c.operation().equals("CreateSecret") && c.outcome() == SecretCall.Outcome.CREATED)
                .collect(Collectors.groupingBy(SecretCall::name, Collectors.counting()));
        createdPerName.forEach((name, times) -> {
            if (times > 1) {
                duplicated += (int) (times - 1);
                problem(name + " created " + times + " times (not an idempotent replay): " + calls.stream()
                        .filter(c -> name.equals(c.name())).map(c -> c.at().toEpochMilli() % 100_000 + " " + c.operation()
                                + " " + c.outcome()).toList());
            }
        });
        sm.stats().conflictingCreates().forEach(call -> {
            duplicated++;
            problem("conflicting create of " + call.name());
        });
        return calls.stream().filter(c -> c.outcome() == SecretCall.Outcome.IDEMPOTENT_REPLAY).count();
    }

    /**
     * Google's counterpart of {@link #checkSecretsManager}. By the double's secrets: anything not in an active Google
     * run's set is leaked, an active run's set must be there with its values. By the double's changes, which outlive
     * the secrets: a name created twice (released, then created again) or given the same value twice is duplicated;
     * a run reported provisioned whose secret was never created with its value, or a SECRET_CREATED naming another
     * secret, is missing.
     *
     * @return how many creates were answered ALREADY_EXISTS (adopted, or refused as not ours)
     */
    private long checkSecretManager(SecretManagerDouble google, List<LoadPlan.Run> runs, Map<String, LoadPlan.Run> active,
                                    List<AuditEvent> audit) {
        Map<String, String[]> expected = new HashMap<>();
        active.values().stream().filter(run -> run.platform() == LoadPlan.Platform.GOOGLE).forEach(run -> plan
                .expectedSet(run).keySet().forEach(name -> expected.put(LoadPlan.googleName(run.runId(), name),
                        new String[] {run.runId(), name})));
        Map<String, Map<String, String>> live = new HashMap<>();
        google.state().secrets().forEach((name, held) -> {
            String[] owner = expected.get(name);
            if (owner == null) {
                leaked++;
                problem("left in Secret Manager: " + name);
                return;
            }
            live.computeIfAbsent(owner[0], r -> new HashMap<>())
                    .put(owner[1], held.latest().map(v -> v.toStringUtf8()).orElse(null));
        });
        active.values().stream().filter(run -> run.platform() == LoadPlan.Platform.GOOGLE)
                .forEach(run -> compare(run.runId(), live.getOrDefault(run.runId(), Map.of()), plan.expectedSet(run)));

        List<SecretManagerState.Change> changes = google.state().changes();
        Map<String, Long> created = changes.stream().filter(c -> c.method().equals("CreateSecret"))
                .collect(Collectors.groupingBy(SecretManagerState.Change::name, Collectors.counting()));
        created.forEach((name, times) -> {
            if (times > 1) {
                duplicated += (int) (times - 1);
                problem(name + " created " + times + " times: " + changes.stream().filter(c -> name.equals(c.name()))
                        .map(SecretManagerState.Change::method).toList());
            }
        });
        // Per name, the values it was ever given; and those since it was last created, since a name created twice
        // is one duplicate, already counted, not a second one when the new secret is given the same value.
        Map<String, Set<Long>> values = new HashMap<>();
        Map<String, Set<Long>> sinceCreated = new HashMap<>();
        for (SecretManagerState.Change change : changes) {
            if (change.method().equals("CreateSecret")) {
                sinceCreated.put(change.name(), new HashSet<>());
            } else if (change.method().equals("AddSecretVersion")) {
                values.computeIfAbsent(change.name(), n -> new HashSet<>()).add(change.crc32c());
                if (!sinceCreated.computeIfAbsent(change.name(), n -> new HashSet<>()).add(change.crc32c())) {
                    duplicated++;
                    problem(change.name() + " given the same value twice");
                }
            }
        }

        Map<String, LoadPlan.Run> googleRuns = new HashMap<>();
        runs.stream().filter(run -> run.platform() == LoadPlan.Platform.GOOGLE).forEach(run -> googleRuns.put(run.runId(), run));
        Set<String> seen = new HashSet<>();
        for (AuditEvent event : audit) {
            LoadPlan.Run run = event.getRunId() == null ? null : googleRuns.get(event.getRunId());
            if (run == null || !seen.add(event.getEventId())) {
                continue;
            }
            if (event.getAction() == AuditAction.SECRETS_PROVISIONED) {
                plan.expectedSet(run).forEach((name, value) -> {
                    String secret = LoadPlan.googleName(run.runId(), name);
                    if (!created.containsKey(secret) || !values.getOrDefault(secret, Set.of()).contains(crc32c(value))) {
                        missing++;
                        problem(run.runId() + " reported provisioned, but " + secret + " was never created with its value");
                    }
                });
            } else if (event.getAction() == AuditAction.SECRET_CREATED
                    && !LoadPlan.googleName(run.runId(), event.getSecretName()).equals(event.getBackendRef())) {
                missing++;
                problem(run.runId() + ": SECRET_CREATED of " + event.getSecretName() + " names " + event.getBackendRef());
            }
        }
        return google.state().answers("CreateSecret", Status.Code.ALREADY_EXISTS);
    }

    private static long crc32c(String value) {
        CRC32C crc = new CRC32C();
        crc.update(value.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private void compare(String runId, Map<String, String> actual, Map<String, String> expected) {
        for (Map.Entry<String, String> entry : actual.entrySet()) {
            if (!expected.containsKey(entry.getKey())) {
                leaked++;
                problem(runId + " holds " + entry.getKey() + ", not in its set");
            } else if (!expected.get(entry.getKey()).equals(entry.getValue())) {
                missing++;
                problem(runId + " holds the wrong value for " + entry.getKey());
            }
        }
        expected.keySet().stream().filter(name -> !actual.containsKey(name)).forEach(name -> {
            missing++;
            problem(runId + " lacks " + name);
        });
    }

    private void problem(String text) {
        problems.add(text);
    }
}
