package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.lifecycle.run.EntryStatus;
import io.pipelinesecrets.lifecycle.run.ManifestEntry;
import io.pipelinesecrets.lifecycle.run.OperationProgress;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.RunEnding;
import io.pipelinesecrets.lifecycle.run.RunError;
import io.pipelinesecrets.lifecycle.run.RunOrigin;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.SecretsPosition;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    /**
     * What this version writes beyond the v1 fixtures, with its value. Adding a property is allowed (readers
     * ignore what they do not know) and is made deliberately here; removing or renaming one is not.
     */
    private static final Map<String, Object> ADDED_SINCE_V1 = Map.of("formatVersion", 1);

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
    void shouldWriteEveryExpectedStateAsItsV1FixtureWithOnlyTheAdditionsSinceV1(String fixture) throws IOException {
        ObjectNode written = (ObjectNode) JSON.readTree(serde.serializer().serialize(TOPIC, V1States.EXPECTED.get(fixture)));

        ObjectNode additions = JSON.createObjectNode();
        ADDED_SINCE_V1.keySet().forEach(name -> additions.set(name, written.remove(name)));
        assertThat(JsonTreeDiff.between(JSON.readTree(bytesOf(fixture)), written))
                .as("where the written state departs from %s/%s.json", FIXTURES, fixture).isEmpty();
        assertThat(additions).as("properties added since v1").isEqualTo(JSON.valueToTree(ADDED_SINCE_V1));
    }

    /**
     * A reader of the versions before {@code formatVersion} existed reads what this version writes, as it read
     * the fixture: its copy below is frozen, and ignores what it does not know, as that reader did.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldBeReadByTheReaderOfTheVersionsBeforeFormatVersionsAsTheFixtureIs(String fixture) throws IOException {
        byte[] written = serde.serializer().serialize(TOPIC, V1States.EXPECTED.get(fixture));

        V1Reader.State read = V1Reader.JSON.readValue(written, V1Reader.State.class);

        assertThat(read).isEqualTo(V1Reader.JSON.readValue(bytesOf(fixture), V1Reader.State.class));
        assertThat(read.manifest()).hasSameSizeAs(V1States.EXPECTED.get(fixture).manifest());
    }

    @Test
    void shouldRefuseAStateOfANewerFormatNamingTheRunAndBothFormats() throws IOException {
        ObjectNode newer = (ObjectNode) JSON.readTree(bytesOf("ACTIVE"));
        newer.put("formatVersion", RunStateSerde.FORMAT_VERSION + 1);
        // What a newer format may look like: a v1 reader must not guess at it.
        newer.set("manifest", JSON.createObjectNode().put("entriesMovedTo", "elsewhere"));

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, JSON.writeValueAsBytes(newer)))
                .isInstanceOf(RunStateSerde.UnsupportedRunStateFormatException.class)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'run-active'")
                .hasMessageContaining(TOPIC)
                .hasMessageContaining("format " + (RunStateSerde.FORMAT_VERSION + 1))
                .hasMessageContaining("up to " + RunStateSerde.FORMAT_VERSION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"2\"", "0", "-1", "1.5", "{}"})
    void shouldRefuseAFormatVersionThatIsNotAPositiveWholeNumber(String version) {
        String json = new String(bytesOf("ACTIVE"), StandardCharsets.UTF_8).replaceFirst("\\{", "{\"formatVersion\":" + version + ",");

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("formatVersion is not a positive whole number");
    }

    @Test
    void shouldReadAStateMarkedWithItsOwnFormatAsWithout() throws IOException {
        ObjectNode marked = (ObjectNode) JSON.readTree(bytesOf("RELEASING"));
        marked.put("formatVersion", RunStateSerde.FORMAT_VERSION);

        assertThat(serde.deserializer().deserialize(TOPIC, JSON.writeValueAsBytes(marked)))
                .isEqualTo(V1States.EXPECTED.get("RELEASING"));
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

        static RunOrigin launchedOnAws(String runId, String launchEventId) {
            return new RunOrigin(target(runId), AWS, launchEventId, LAUNCHED, SELECTION);
        }

        static RunState awaiting() {
            String run = "run-awaiting-secrets";
            return new RunState(run, Phase.AWAITING_SECRETS, launchedOnAws(run, "evt-launch-0a1b"), RunEnding.NOT_YET,
                    List.of(), new OperationProgress(0, false, null, 0, at(40)), null,
                    new SecretsPosition(Map.of(0, 41L, 2, 7L)), at(40));
        }

        static RunState provisioning() {
            String run = "run-provisioning";
            return new RunState(run, Phase.PROVISIONING, launchedOnAws(run, "evt-launch-1c2d"), RunEnding.NOT_YET,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.PENDING, null, "THROTTLED"),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.PENDING, null, "THROTTLED")),
                    new OperationProgress(2, false, at(4_250), 2, at(40)), new RunError("THROTTLED", "Rate exceeded"),
                    null, at(1_250));
        }

        static RunState completionWaiting() {
            String run = "run-completion-waiting";
            return new RunState(run, Phase.PROVISIONING, new RunOrigin(target(run), "filesystem", "evt-launch-8e9f",
                    LAUNCHED, new Selection(List.of("DB_PASSWORD"), List.of())),
                    new RunEnding("evt-completion-1a2b", null),
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 4, EntryStatus.PENDING, null, null)),
                    new OperationProgress(1, true, null, 0, at(15)), null, null, at(2_000));
        }

        static RunState active() {
            String run = "run-active";
            return new RunState(run, Phase.ACTIVE, launchedOnAws(run, "evt-launch-2e3f"), RunEnding.NOT_YET,
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.CREATED, ref(run, "API_TOKEN"), null),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.CREATED, ref(run, "GITHUB_TOKEN"), null)),
                    new OperationProgress(3, false, null, 0, at(5_010)), new RunError("THROTTLED", "Rate exceeded"),
                    null, at(5_010));
        }

        static RunState releasing() {
            String run = "run-releasing";
            long day = 86_400_000L;
            return new RunState(run, Phase.RELEASING, launchedOnAws(run, "evt-launch-3a4b"),
                    new RunEnding("lease-expired:" + run, "LEASE_EXPIRED"),
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.CREATED, ref(run, "API_TOKEN"), "SERVICE_UNAVAILABLE"),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 2, EntryStatus.PENDING, ref(run, "GITHUB_TOKEN"), "SERVICE_UNAVAILABLE")),
                    new OperationProgress(5, false, at(day + 9_000), 1, at(day)),
                    new RunError("SERVICE_UNAVAILABLE", "Secrets Manager answered 503"), null, at(day + 1_000));
        }

        static RunState rollingBack() {
            String run = "run-rolling-back";
            return new RunState(run, Phase.ROLLING_BACK, launchedOnAws(run, "evt-launch-4c5d"),
                    new RunEnding("evt-completion-9f8e", "PROVISION_FAILED"),
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.CREATED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, null, NOT_OURS),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.PENDING, null, null)),
                    new OperationProgress(2, true, null, 0, at(310)), new RunError(NOT_OURS, NOT_OURS_MESSAGE), null,
                    at(720));
        }

        static RunState failed() {
            String run = "run-failed";
            return new RunState(run, Phase.FAILED, launchedOnAws(run, "evt-launch-5e6f"),
                    new RunEnding(null, "PROVISION_FAILED"),
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, null, NOT_OURS),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.DELETED, null, null)),
                    new OperationProgress(2, false, null, 0, at(905)), new RunError(NOT_OURS, NOT_OURS_MESSAGE), null,
                    at(905));
        }

        static RunState released() {
            String run = "run-released";
            long hour = 3_600_000L;
            return new RunState(run, Phase.RELEASED, launchedOnAws(run, "evt-launch-6a7b"),
                    new RunEnding("evt-completion-7c8d", "PROVISION_FAILED"),
                    List.of(new ManifestEntry("DB_PASSWORD", Scope.WORKSPACE, 3, EntryStatus.DELETED, ref(run, "DB_PASSWORD"), null),
                            new ManifestEntry("API_TOKEN", Scope.USER, 1, EntryStatus.REFUSED, null, NOT_OURS),
                            new ManifestEntry("GITHUB_TOKEN", Scope.USER, 7, EntryStatus.DELETED, ref(run, "GITHUB_TOKEN"), null)),
                    new OperationProgress(3, false, null, 0, at(hour)), new RunError(NOT_OURS, NOT_OURS_MESSAGE), null,
                    at(hour));
        }

        static RunState completionFirst() {
            return new RunState("run-completion-first", Phase.RELEASED, RunOrigin.NO_LAUNCH,
                    new RunEnding("evt-completion-3c4d", null), List.of(), new OperationProgress(0, false, null, 0, at(500)),
                    null, null, at(500));
        }
    }

    /**
     * The run-state reader as it was before {@code formatVersion}: Jackson binding the flat record with unknown
     * properties ignored. Frozen: it stands for instances still running that version during a rolling upgrade.
     */
    private static final class V1Reader {

        static final ObjectMapper JSON = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        record State(String runId, Target target, Phase phase, String backend, String launchEventId,
                     Instant launchedAt, Choice selection, String completionEventId, List<Entry> manifest, int attempt,
                     boolean inFlight, Instant nextAttemptAt, int retryableFailures, String lastErrorCode,
                     String lastErrorMessage, Instant operationStartedAt, Instant updatedAt, String releaseReason,
                     Position awaitedSecrets) {
        }

        record Target(String runId, String workspaceId, String userId, String computeEnvId, String platform,
                      String region, String accountRoleArn, String secretsPath) {
        }

        record Choice(List<String> workspaceSecrets, List<String> userSecrets) {
        }

        record Entry(String name, Scope scope, long version, EntryStatus status, String backendRef,
                     String lastErrorCode) {
        }

        record Position(Map<Integer, Long> offsets) {
        }
    }
}
