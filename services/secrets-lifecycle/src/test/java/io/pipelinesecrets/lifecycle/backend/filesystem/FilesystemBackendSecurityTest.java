package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.assertAllFailed;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.await;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.run;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.secret;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.snapshot;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.stored;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event must never choose where the service writes or deletes: every way out of the allowed root fails the
 * whole run permanently, and the directory outside the root ({@code outside}, holding another run's store) is
 * left exactly as it was.
 */
class FilesystemBackendSecurityTest {

    private static final String RUN_ID = "run-1";
    private static final List<Secret> SECRETS = List.of(secret("DB_PASSWORD", "hunter2"), secret("TOKEN", "t"));

    @TempDir
    Path base;

    private Path root;
    private Path outside;
    private Map<String, Long> outsideBefore;
    private FilesystemBackend backend;

    @BeforeEach
    void createRootAndAVictimOutsideIt() throws Exception {
        root = Files.createDirectory(base.resolve("root"));
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(Files.createDirectory(outside.resolve(RUN_ID)).resolve("store.json"), "victim");
        Files.createDirectory(outside.resolve("etc"));
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)));
        outsideBefore = snapshot(outside);
    }

    @AfterEach
    void checkNothingChangedOutsideTheRoot() throws Exception {
        backend.close();
        assertThat(snapshot(outside)).isEqualTo(outsideBefore);
        assertThat(outside.resolve(RUN_ID).resolve("store.json")).hasContent("victim");
        try (var entries = Files.list(base)) {
            assertThat(entries).containsExactlyInAnyOrder(root, outside);
        }
    }

    private void assertBothRefused(RunTarget run, String code) throws Exception {
        BackendError provision = assertAllFailed(await(backend.provision(run, SECRETS)), BackendError.Kind.PERMANENT, code);
        BackendError release = assertAllFailed(await(backend.release(run, stored(null, "DB_PASSWORD", "TOKEN"))),
                BackendError.Kind.PERMANENT, code);
        assertThat(release).isEqualTo(provision);
    }

    @Test
    void shouldRefuseASecretsPathOutsideTheAllowedRoots() throws Exception {
        assertBothRefused(run(RUN_ID, outside), "PATH_NOT_ALLOWED");

        BackendError error = assertAllFailed(await(backend.provision(run(RUN_ID, outside), SECRETS)),
                BackendError.Kind.PERMANENT, "PATH_NOT_ALLOWED");
        assertThat(error.message()).contains(outside.toString()).contains(root.toString());
    }

    @Test
    void shouldRefuseASiblingThatOnlySharesTheRootsNamePrefix() throws Exception {
        Path sibling = Files.createDirectory(base.resolve("root-other"));

        assertAllFailed(await(backend.provision(run(RUN_ID, sibling), SECRETS)),
                BackendError.Kind.PERMANENT, "PATH_NOT_ALLOWED");
        assertThat(sibling).isEmptyDirectory();
        Files.delete(sibling);
    }

    @Test
    void shouldRefuseARelativeSecretsPath() throws Exception {
        assertBothRefused(run(RUN_ID, "outside"), "PATH_NOT_ALLOWED");
        assertBothRefused(run(RUN_ID, "root"), "PATH_NOT_ALLOWED");
    }

    @Test
    void shouldRefuseTraversalOutOfTheRoot() throws Exception {
        assertBothRefused(run(RUN_ID, root + "/../outside"), "PATH_NOT_ALLOWED");
        assertBothRefused(run(RUN_ID, root + "/../outside/etc"), "PATH_NOT_ALLOWED");
        assertBothRefused(run(RUN_ID, root + "/.."), "PATH_NOT_ALLOWED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "../outside/run-1", "a/b", "", ".hidden", ".", "/abs"})
    void shouldRefuseAnInvalidRunId(String runId) throws Exception {
        assertBothRefused(run(runId, root), "INVALID_RUN_ID");
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void shouldRefuseASymlinkedSecretsPath() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("hpc"), outside);

        assertBothRefused(run(RUN_ID, link), "SYMLINK_REFUSED");
        assertThat(link).isSymbolicLink();
    }

    @Test
    void shouldRefuseASymlinkAnywhereBetweenTheRootAndTheSecretsPath() throws Exception {
        Files.createSymbolicLink(root.resolve("cluster"), outside);

        assertBothRefused(run(RUN_ID, root.resolve("cluster/etc")), "SYMLINK_REFUSED");
    }

    @Test
    void shouldRefuseASymlinkedRunDirectoryPointingOutsideAndLeaveItsTargetUntouched() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve(RUN_ID), outside.resolve(RUN_ID));

        assertBothRefused(run(RUN_ID, root), "SYMLINK_REFUSED");
        assertThat(link).isSymbolicLink();
    }

    @Test
    void shouldRefuseADanglingSymlinkAsTheRunDirectory() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve(RUN_ID), outside.resolve("not-yet-there"));

        assertBothRefused(run(RUN_ID, root), "SYMLINK_REFUSED");
        assertThat(outside.resolve("not-yet-there")).doesNotExist();
        assertThat(link).isSymbolicLink();
    }

    @Test
    void shouldRefuseAPreExistingStoreFileSymlinkNeitherWritingThroughNorRemovingIt() throws Exception {
        Path directory = Files.createDirectory(root.resolve(RUN_ID));
        Path link = Files.createSymbolicLink(directory.resolve("store.json"), outside.resolve(RUN_ID).resolve("store.json"));

        assertBothRefused(run(RUN_ID, root), "SYMLINK_REFUSED");
        assertThat(link).isSymbolicLink();
        try (var entries = Files.list(directory)) {
            assertThat(entries).as("no temp file left behind")
                    .containsExactlyInAnyOrder(link, directory.resolve(".managed-by"));
        }
    }

    @Test
    void shouldProvisionNormallyNextToTheRefusedAttempts() throws Exception {
        List<SecretOutcome> outcomes = await(backend.provision(run(RUN_ID, root), SECRETS));

        assertThat(outcomes).allMatch(SecretOutcome.Created.class::isInstance);
        assertThat(root.resolve(RUN_ID).resolve("store.json")).isRegularFile();
    }
}
