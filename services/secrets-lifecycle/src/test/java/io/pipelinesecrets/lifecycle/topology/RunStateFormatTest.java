package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stored run state is a contract with every state already at rest in a changelog: the v1 golden fixtures
 * ({@code src/test/resources/run-state/v1}, written by the serde before the format was versioned, never edited)
 * must read as the states this test spells out field by field, and those states must write back to the same
 * JSON. Renaming a component or a stored property, or changing how a value is written, fails here rather than
 * dropping the manifests of running runs on a rolling upgrade.
 */
class RunStateFormatTest {

    private static final String FIXTURES = "run-state/v1";
    private static final String TOPIC = "secrets-lifecycle-run-state-changelog";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunStateSerde serde = new RunStateSerde();

    static Stream<String> fixtures() {
        return fixtureNames().stream();
    }

    @Test
    void shouldHaveAFixtureForEveryPhase() {
        Set<String> covered = fixtureNames().stream().map(RunStateFormatTest::phaseOf).collect(Collectors.toSet());

        assertThat(covered).as("phases with a fixture in %s", FIXTURES)
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Phase.values()).map(Phase::name).toList());
    }

    @Test
    void shouldSpellOutTheExpectedStateOfEveryFixture() {
        assertThat(V1States.EXPECTED.keySet()).as("fixtures in %s with an expected state", FIXTURES)
                .containsExactlyInAnyOrderElementsOf(fixtureNames());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldReadEveryV1FixtureAsItsExpectedState(String fixture) {
        RunState expected = V1States.EXPECTED.get(fixture);

        RunState read = serde.deserializer().deserialize(TOPIC, bytesOf(fixture));

        assertThat(read).usingRecursiveComparison().isEqualTo(expected);
        assertThat(read).isEqualTo(expected);
        assertThat(read.phase().name()).isEqualTo(phaseOf(fixture));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldWriteEveryExpectedStateAsItsV1Fixture(String fixture) throws IOException {
        JsonNode written = JSON.readTree(serde.serializer().serialize(TOPIC, V1States.EXPECTED.get(fixture)));

        assertThat(JsonTreeDiff.between(JSON.readTree(bytesOf(fixture)), written))
                .as("where the written state departs from %s/%s.json", FIXTURES, fixture).isEmpty();
    }

    /** {@code PROVISIONING-completion-waiting} is a PROVISIONING fixture. */
    private static String phaseOf(String fixture) {
        int variant = fixture.indexOf('-');
        return variant < 0 ? fixture : fixture.substring(0, variant);
    }

    private static Set<String> fixtureNames() {
        try (Stream<Path> files = Files.list(Path.of(Objects.requireNonNull(
                RunStateFormatTest.class.getClassLoader().getResource(FIXTURES), FIXTURES).toURI()))) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".json"))
                    .map(name -> name.substring(0, name.length() - ".json".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytesOf(String fixture) {
        try {
            return Files.readAllBytes(Path.of(Objects.requireNonNull(RunStateFormatTest.class.getClassLoader()
                    .getResource(FIXTURES + "/" + fixture + ".json"), fixture).toURI()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The states the v1 fixtures hold, value by value: what a v1 reader must get out of them. */
    private static final class V1States {

        static final Instant LAUNCHED = Instant.parse("2026-03-02T09:15:00.123456789Z");
        static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pipeline-secrets/ws-research/";
        static final Selection SELECTION = new Selection(List.of("DB_PASSWORD", "API_TOKEN"),
                List.of("API_TOKEN", "GITHUB_TOKEN"));
        static final String AWS = "aws-secretsmanager";
        static final String NOT_OURS = "NAME_OWNED_BY_ANOTHER";
        static final String NOT_OURS_MESSAGE = "a secret of that name exists and is not this run's";

        static final Map<String, RunState> EXPECTED = Map.of(
                "AWAITING_SECRETS", awaiting(),
                "PROVISIONING", provisioning(),
                "PROVISIONING-completion-waiting", completionWaiting(),
                "ACTIVE", active(),
                "RELEASING", releasing(),
                "ROLLING_BACK", rollingBack(),
                "FAILED", failed(),
                "RELEASED", released(),
                "RELEASED-completion-first", completionFirst());

        static RunTarget target(String runId) {
            return new RunTarget(runId, "ws-research", "alice", "ce-batch-1", "aws-batch", "eu-west-1",
                    "arn:aws:iam::123456789012:role/pipeline-secrets", "pipeline-secrets/ws-research");
        }

        static Instant at(long millisAfterLaunch) {
            return LAUNCHED.plusMillis(millisAfterLaunch);
        }

        static String ref(String runId, String name) {
            return ARN + runId + "/" + name + "-AbCdEf";
        }

        static RunState awaiting() {
            String run = "run-awaiting-secrets";
            return new RunState(run, target(run), Phase.AWAITING_SECRETS, AWS, "evt-launch-0a1b", LAUNCHED, SELECTION,
                    null, List.of(), 0, false, null, 0, null, null, at(40), at(40), null,
                    new SecretsPosition(Map.of(0, 41L, 2, 7L)));
        }

        static RunState provisioning() {
            String run = "run-provisioning";
            return new RunState(run, target(run), Phase.PROVISIONING, AWS, "evt-launch-1c2d", LAUNCHED, SELECTION, null,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.PENDING, null, "THROTTLED"),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.PENDING, null, "THROTTLED")),
                    2, false, at(4_250), 2, "THROTTLED", "Rate exceeded", at(40), at(1_250), null, null);
        }

        static RunState completionWaiting() {
            String run = "run-completion-waiting";
            return new RunState(run, target(run), Phase.PROVISIONING, "filesystem", "evt-launch-8e9f", LAUNCHED,
                    new Selection(List.of("DB_PASSWORD"), List.of()), "evt-completion-1a2b",
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 4, EntryStatus.PENDING, null, null)),
                    1, true, null, 0, null, null, at(15), at(2_000), null, null);
        }

        static RunState active() {
            String run = "run-active";
            return new RunState(run, target(run), Phase.ACTIVE, AWS, "evt-launch-2e3f", LAUNCHED, SELECTION, null,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.CREATED, ref(run, "API_TOKEN"), null),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.CREATED, ref(run, "GITHUB_TOKEN"), null)),
                    3, false, null, 0, "THROTTLED", "Rate exceeded", at(5_010), at(5_010), null, null);
        }

        static RunState releasing() {
            String run = "run-releasing";
            long day = 86_400_000L;
            return new RunState(run, target(run), Phase.RELEASING, AWS, "evt-launch-3a4b", LAUNCHED, SELECTION,
                    "lease-expired:" + run,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.CREATED, ref(run, "API_TOKEN"), "SERVICE_UNAVAILABLE"),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 2, EntryStatus.PENDING, ref(run, "GITHUB_TOKEN"), "SERVICE_UNAVAILABLE")),
                    5, false, at(day + 9_000), 1, "SERVICE_UNAVAILABLE", "Secrets Manager answered 503", at(day),
                    at(day + 1_000), "LEASE_EXPIRED", null);
        }

        static RunState rollingBack() {
            String run = "run-rolling-back";
            return new RunState(run, target(run), Phase.ROLLING_BACK, AWS, "evt-launch-4c5d", LAUNCHED, SELECTION,
                    "evt-completion-9f8e",
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, null, NOT_OURS),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.PENDING, null, null)),
                    2, true, null, 0, NOT_OURS, NOT_OURS_MESSAGE, at(310), at(720), "PROVISION_FAILED", null);
        }

        static RunState failed() {
            String run = "run-failed";
            return new RunState(run, target(run), Phase.FAILED, AWS, "evt-launch-5e6f", LAUNCHED, SELECTION, null,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, null, NOT_OURS),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.DELETED, null, null)),
                    2, false, null, 0, NOT_OURS, NOT_OURS_MESSAGE, at(905), at(905), "PROVISION_FAILED", null);
        }

        static RunState released() {
            String run = "run-released";
            long hour = 3_600_000L;
            return new RunState(run, target(run), Phase.RELEASED, AWS, "evt-launch-6a7b", LAUNCHED, SELECTION,
                    "evt-completion-7c8d",
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, null, NOT_OURS),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.DELETED, ref(run, "GITHUB_TOKEN"), null)),
                    3, false, null, 0, NOT_OURS, NOT_OURS_MESSAGE, at(hour), at(hour), "PROVISION_FAILED", null);
        }

        static RunState completionFirst() {
            return new RunState("run-completion-first", null, Phase.RELEASED, null, null, null, null,
                    "evt-completion-3c4d", List.of(), 0, false, null, 0, null, null, at(500), at(500), null, null);
        }
    }
}
