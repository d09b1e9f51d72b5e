package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.lifecycle.run.EntryStatus;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.SecretsPosition;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Throwaway: writes the v1 golden fixtures with today's serde. Deleted once they are committed. */
class GenerateV1FixturesTest {

    private static final Instant LAUNCHED = Instant.parse("2026-03-02T09:15:00.123456789Z");
    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pipeline-secrets/ws-research/";
    private static final Selection SELECTION = new Selection(List.of("DB_PASSWORD", "API_TOKEN"), List.of("API_TOKEN", "GITHUB_TOKEN"));

    private static RunTarget target(String runId) {
        return new RunTarget(runId, "ws-research", "alice", "ce-batch-1", "aws-batch", "eu-west-1",
                "arn:aws:iam::123456789012:role/pipeline-secrets", "pipeline-secrets/ws-research");
    }

    private static Instant at(long millis) {
        return LAUNCHED.plusMillis(millis);
    }

    private static ManifestEntry entry(String runId, String name, Scope scope, long version, EntryStatus status, boolean ref, String error) {
        return new ManifestEntry(name, scope, version, status, ref ? ARN + runId + "/" + name + "-AbCdEf" : null, error);
    }

    @Test
    void generate() throws Exception {
        Path dir = Path.of("src/test/resources/run-state/v1");
        Files.createDirectories(dir);
        RunStateSerde serde = new RunStateSerde();
        ObjectMapper json = new ObjectMapper();
        Map<String, RunState> fixtures = Map.of("AWAITING_SECRETS", awaiting(), "PROVISIONING", provisioning(),
                "PROVISIONING-completion-waiting", completionWaiting(), "ACTIVE", active(), "RELEASING", releasing(),
                "ROLLING_BACK", rollingBack(), "FAILED", failed(), "RELEASED", released(),
                "RELEASED-completion-first", completionFirst());
        for (Map.Entry<String, RunState> fixture : fixtures.entrySet()) {
            byte[] bytes = serde.serializer().serialize("t", fixture.getValue());
            Files.writeString(dir.resolve(fixture.getKey() + ".json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(bytes)) + "\n");
        }
    }

    static RunState awaiting() {
        String run = "run-awaiting-secrets";
        return new RunState(run, target(run), Phase.AWAITING_SECRETS, "aws-secretsmanager", "evt-launch-0a1b", LAUNCHED,
                SELECTION, null, List.of(), 0, false, null, 0, null, null, at(40), at(40), null,
                new SecretsPosition(Map.of(0, 41L, 2, 7L)));
    }

    static RunState provisioning() {
        String run = "run-provisioning";
        return new RunState(run, target(run), Phase.PROVISIONING, "aws-secretsmanager", "evt-launch-1c2d", LAUNCHED,
                SELECTION, null, List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, true, null),
                        entry(run, "API_TOKEN", Scope.USER, 1, EntryStatus.PENDING, false, "THROTTLED"),
                        entry(run, "GITHUB_TOKEN", Scope.USER, 7, EntryStatus.PENDING, false, "THROTTLED")),
                2, false, at(4_250), 2, "THROTTLED", "Rate exceeded", at(40), at(1_250), null, null);
    }

    static RunState completionWaiting() {
        String run = "run-completion-waiting";
        return new RunState(run, target(run), Phase.PROVISIONING, "filesystem", "evt-launch-8e9f", LAUNCHED,
                new Selection(List.of("DB_PASSWORD"), List.of()), "evt-completion-1a2b", List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 4, EntryStatus.PENDING, false, null)),
                1, true, null, 0, null, null, at(15), at(2_000), null, null);
    }

    static RunState completionFirst() {
        return new RunState("run-completion-first", null, Phase.RELEASED, null, null, null, null, "evt-completion-3c4d",
                List.of(), 0, false, null, 0, null, null, at(500), at(500), null, null);
    }

    static RunState active() {
        String run = "run-active";
        return new RunState(run, target(run), Phase.ACTIVE, "aws-secretsmanager", "evt-launch-2e3f", LAUNCHED,
                SELECTION, null, List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, true, null),
                        entry(run, "API_TOKEN", Scope.USER, 1, EntryStatus.CREATED, true, null),
                        entry(run, "GITHUB_TOKEN", Scope.USER, 7, EntryStatus.CREATED, true, null)),
                3, false, null, 0, "THROTTLED", "Rate exceeded", at(5_010), at(5_010), null, null);
    }

    static RunState releasing() {
        String run = "run-releasing";
        return new RunState(run, target(run), Phase.RELEASING, "aws-secretsmanager", "evt-launch-3a4b", LAUNCHED,
                SELECTION, "lease-expired:" + run, List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, true, null),
                        entry(run, "API_TOKEN", Scope.USER, 1, EntryStatus.CREATED, true, "SERVICE_UNAVAILABLE"),
                        entry(run, "GITHUB_TOKEN", Scope.USER, 2, EntryStatus.PENDING, true, "SERVICE_UNAVAILABLE")),
                5, false, at(86_400_000L + 9_000), 1, "SERVICE_UNAVAILABLE", "Secrets Manager answered 503",
                at(86_400_000L), at(86_400_000L + 1_000), "LEASE_EXPIRED", null);
    }

    static RunState rollingBack() {
        String run = "run-rolling-back";
        return new RunState(run, target(run), Phase.ROLLING_BACK, "aws-secretsmanager", "evt-launch-4c5d", LAUNCHED,
                SELECTION, "evt-completion-9f8e", List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, true, null),
                        entry(run, "API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, false, "NAME_OWNED_BY_ANOTHER"),
                        entry(run, "GITHUB_TOKEN", Scope.USER, 7, EntryStatus.PENDING, false, null)),
                2, true, null, 0, "NAME_OWNED_BY_ANOTHER", "a secret of that name exists and is not this run's",
                at(310), at(720), "PROVISION_FAILED", null);
    }

    static RunState failed() {
        String run = "run-failed";
        return new RunState(run, target(run), Phase.FAILED, "aws-secretsmanager", "evt-launch-5e6f", LAUNCHED,
                SELECTION, null, List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, true, null),
                        entry(run, "API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, false, "NAME_OWNED_BY_ANOTHER"),
                        entry(run, "GITHUB_TOKEN", Scope.USER, 7, EntryStatus.DELETED, false, null)),
                2, false, null, 0, "NAME_OWNED_BY_ANOTHER", "a secret of that name exists and is not this run's",
                at(905), at(905), "PROVISION_FAILED", null);
    }

    static RunState released() {
        String run = "run-released";
        return new RunState(run, target(run), Phase.RELEASED, "aws-secretsmanager", "evt-launch-6a7b", LAUNCHED,
                SELECTION, "evt-completion-7c8d", List.of(
                        entry(run, "DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, true, null),
                        entry(run, "API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, false, "NAME_OWNED_BY_ANOTHER"),
                        entry(run, "GITHUB_TOKEN", Scope.USER, 7, EntryStatus.DELETED, true, null)),
                3, false, null, 0, "NAME_OWNED_BY_ANOTHER", "a secret of that name exists and is not this run's",
                at(3_600_000L), at(3_600_000L), "PROVISION_FAILED", null);
    }
}
