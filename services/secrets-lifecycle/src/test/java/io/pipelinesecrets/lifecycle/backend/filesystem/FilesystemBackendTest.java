package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.assertAllFailed;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.await;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.permissions;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.readStore;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.readStoreAsMap;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.run;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.secret;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilesystemBackendTest {

    private static final String RUN_ID = "4Bi5xBK6E2Nbhj";

    @TempDir
    Path base;

    private Path root;
    private Path storeFile;
    private FilesystemBackend backend;

    @BeforeEach
    void createRootAndBackend() throws Exception {
        root = Files.createDirectory(base.resolve("secrets"));
        storeFile = root.resolve(RUN_ID).resolve("store.json");
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root)));
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private static List<Secret> secrets() {
        return List.of(secret("DB_PASSWORD", "hunter2"), secret("API_TOKEN", "tok-\"quoted\"\nmulti-line $HOME"));
    }

    @Test
    void shouldBeCalledFilesystem() {
        assertThat(backend.name()).isEqualTo("filesystem");
    }

    @Test
    void shouldWriteTheNextflowStoreWithOwnerOnlyPermissions() throws Exception {
        List<SecretOutcome> outcomes = await(backend.provision(run(RUN_ID, root), secrets()));

        assertThat(readStoreAsMap(storeFile)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "DB_PASSWORD", "hunter2", "API_TOKEN", "tok-\"quoted\"\nmulti-line $HOME"));
        assertThat(readStore(storeFile)).extracting(entry -> entry.get("name"))
                .as("sorted by name, as Nextflow keeps them").containsExactly("API_TOKEN", "DB_PASSWORD");
        assertThat(permissions(storeFile)).isEqualTo("rw-------");
        assertThat(permissions(storeFile.getParent())).isEqualTo("rwx------");
        assertThat(outcomes).containsExactly(
                new SecretOutcome.Created("DB_PASSWORD", storeFile.toString()),
                new SecretOutcome.Created("API_TOKEN", storeFile.toString()));
        assertThat(storeFile).isAbsolute();
    }

    @Test
    void shouldWriteTheSameFileWhenProvisionedTwiceWithTheSameSet() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));
        byte[] first = Files.readAllBytes(storeFile);

        List<SecretOutcome> again = await(backend.provision(run(RUN_ID, root),
                List.of(secrets().get(1), secrets().get(0))));

        assertThat(Files.readAllBytes(storeFile)).isEqualTo(first);
        assertThat(again).allMatch(SecretOutcome.Created.class::isInstance).hasSize(2);
        try (Stream<Path> entries = Files.list(storeFile.getParent())) {
            assertThat(entries).containsExactlyInAnyOrder(storeFile, storeFile.resolveSibling(".managed-by"));
        }
    }

    @Test
    void shouldReplaceTheStoreWhenAValueChangesLeavingNoTempFiles() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));
        Object before = Files.readAttributes(storeFile, "unix:ino").get("ino");

        await(backend.provision(run(RUN_ID, root), List.of(secret("DB_PASSWORD", "rotated"))));

        assertThat(readStoreAsMap(storeFile)).containsExactly(Map.entry("DB_PASSWORD", "rotated"));
        assertThat(Files.readAttributes(storeFile, "unix:ino").get("ino"))
                .as("a new file renamed over the old one, not the old one rewritten").isNotEqualTo(before);
        assertThat(permissions(storeFile)).isEqualTo("rw-------");
        try (Stream<Path> entries = Files.list(storeFile.getParent())) {
            assertThat(entries).containsExactlyInAnyOrder(storeFile, storeFile.resolveSibling(".managed-by"));
        }
    }

    @Test
    void shouldRemoveATempFileAnInterruptedWriteLeftWhenTheNextWriteSucceeds() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));
        // What a write cut off by the share going away leaves behind: a full copy of the store.
        Path leftover = storeFile.resolveSibling(".store.json.3f2a.tmp");
        Files.writeString(leftover, "[{\"name\":\"DB_PASSWORD\",\"value\":\"hunter2\"}]");

        await(backend.provision(run(RUN_ID, root), secrets()));

        try (Stream<Path> entries = Files.list(storeFile.getParent())) {
            assertThat(entries).containsExactlyInAnyOrder(storeFile, storeFile.resolveSibling(".managed-by"));
        }
    }

    @Test
    void shouldNarrowAnExistingRunDirectoryToOwnerOnly() throws Exception {
        Path directory = Files.createDirectory(root.resolve(RUN_ID));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));

        await(backend.provision(run(RUN_ID, root), secrets()));

        assertThat(permissions(directory)).isEqualTo("rwx------");
        assertThat(storeFile).isRegularFile();
    }

    @Test
    void shouldWriteAnEmptyStoreForARunWithoutSecrets() throws Exception {
        assertThat(await(backend.provision(run(RUN_ID, root), List.of()))).isEmpty();
        assertThat(readStore(storeFile)).isEmpty();
    }

    @Test
    void shouldWriteUnderADirectoryInsideTheRootAndUnderTheDefaultRoot() throws Exception {
        Path hpc = Files.createDirectory(root.resolve("hpc"));
        Path defaults = Files.createDirectory(root.resolve("default"));
        try (FilesystemBackend withDefault = new FilesystemBackend(
                new FilesystemBackendConfig(List.of(root), defaults))) {
            await(withDefault.provision(run("run-a", hpc), secrets()));
            await(withDefault.provision(run("run-b", (String) null), secrets()));
        }

        assertThat(hpc.resolve("run-a/store.json")).isRegularFile();
        assertThat(defaults.resolve("run-b/store.json")).isRegularFile();
    }

    @Test
    void shouldFailADuplicateNamePermanentlyWithoutWriting() throws Exception {
        List<SecretOutcome> outcomes = await(backend.provision(run(RUN_ID, root),
                List.of(secret("A", "1"), secret("A", "2"))));

        assertAllFailed(outcomes, BackendError.Kind.PERMANENT, "DUPLICATE_SECRET_NAME");
        assertThat(root.resolve(RUN_ID)).doesNotExist();
    }

    @Test
    void shouldRemoveTheStoreAndItsDirectoryOnRelease() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));

        List<SecretOutcome> outcomes = await(backend.release(run(RUN_ID, root),
                stored(storeFile, "DB_PASSWORD", "API_TOKEN")));

        assertThat(outcomes).containsExactly(
                new SecretOutcome.Deleted("DB_PASSWORD", storeFile.toString()),
                new SecretOutcome.Deleted("API_TOKEN", storeFile.toString()));
        assertThat(root.resolve(RUN_ID)).doesNotExist();
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void shouldSucceedReleasingARunAlreadyReleasedOrNeverProvisioned() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));
        await(backend.release(run(RUN_ID, root), stored(storeFile, "DB_PASSWORD")));

        assertThat(await(backend.release(run(RUN_ID, root), stored(storeFile, "DB_PASSWORD"))))
                .containsExactly(new SecretOutcome.Deleted("DB_PASSWORD", storeFile.toString()));
        assertThat(await(backend.release(run("never-provisioned", root), stored(null, "X"))))
                .singleElement().isInstanceOf(SecretOutcome.Deleted.class);
        assertThat(await(backend.release(run(RUN_ID, root.resolve("gone/away")), stored(null, "X"))))
                .as("the root is mounted, so a missing directory below it holds no store")
                .singleElement().isInstanceOf(SecretOutcome.Deleted.class);
    }

    @Test
    void shouldLeaveForeignFilesAndTheDirectoryButRemoveTheStore() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));
        Path foreign = Files.writeString(storeFile.resolveSibling("nextflow.log"), "not ours");

        List<SecretOutcome> outcomes = await(backend.release(run(RUN_ID, root), stored(storeFile, "DB_PASSWORD")));

        assertThat(outcomes).containsExactly(new SecretOutcome.Deleted("DB_PASSWORD", storeFile.toString()));
        assertThat(storeFile).doesNotExist();
        assertThat(foreign).hasContent("not ours");
    }

    @Test
    void shouldRemoveLeftoverTempFilesAndNextflowTaskSecretsWithTheStore() throws Exception {
        await(backend.provision(run(RUN_ID, root), secrets()));
        Path directory = storeFile.getParent();
        Files.writeString(directory.resolve(".store.json.3f2a.tmp"), "[]");
        Files.writeString(directory.resolve(".nf-0123456789abcdef.secrets"), "export DB_PASSWORD=\"hunter2\"");

        await(backend.release(run(RUN_ID, root), stored(storeFile, "DB_PASSWORD")));

        assertThat(directory).doesNotExist();
    }

    @Test
    void shouldReportAMissingRootAsRetryableSoAnUnmountedFilesystemIsTriedAgain() throws Exception {
        Path unmounted = base.resolve("unmounted");
        try (FilesystemBackend onUnmounted = new FilesystemBackend(new FilesystemBackendConfig(List.of(unmounted)))) {
            BackendError provisionError = assertAllFailed(await(onUnmounted.provision(run(RUN_ID, unmounted), secrets())),
                    BackendError.Kind.RETRYABLE, "SECRETS_PATH_MISSING");
            assertAllFailed(await(onUnmounted.release(run(RUN_ID, unmounted), stored(null, "DB_PASSWORD"))),
                    BackendError.Kind.RETRYABLE, "SECRETS_PATH_MISSING");
            assertThat(provisionError.message()).contains(unmounted.toString());
        }
        assertThat(unmounted).doesNotExist();
    }

    @Test
    void shouldNotCreateAMissingSecretsPathBelowTheRoot() throws Exception {
        Path missing = root.resolve("hpc");

        assertAllFailed(await(backend.provision(run(RUN_ID, missing), secrets())),
                BackendError.Kind.RETRYABLE, "SECRETS_PATH_MISSING");
        assertThat(missing).doesNotExist();
    }

    @Test
    void shouldReportOtherIoFailuresAsRetryableNamingTheClassAndPath() throws Exception {
        Files.createDirectories(storeFile.resolve("in-the-way"));

        BackendError error = assertAllFailed(await(backend.provision(run(RUN_ID, root), secrets())),
                BackendError.Kind.RETRYABLE, "IO_ERROR");

        assertThat(error.message()).contains("java.nio.file.").contains(storeFile.toString());
        try (Stream<Path> entries = Files.list(storeFile.getParent())) {
            assertThat(entries).as("the temp file was removed")
                    .containsExactlyInAnyOrder(storeFile, storeFile.resolveSibling(".managed-by"));
        }
    }

    @Test
    void shouldFailARunDirectoryThatIsAFilePermanently() throws Exception {
        Files.writeString(root.resolve(RUN_ID), "a file");

        assertAllFailed(await(backend.provision(run(RUN_ID, root), secrets())),
                BackendError.Kind.PERMANENT, "NOT_A_DIRECTORY");
        assertThat(root.resolve(RUN_ID)).hasContent("a file");
    }

    @Test
    void shouldComputeTheStoreFileOfARunWithoutTouchingTheFilesystem() {
        assertThat(backend.storeFile(run(RUN_ID, root))).contains(storeFile);
        assertThat(backend.storeFile(run("..", root))).isEmpty();
        assertThat(backend.storeFile(run(RUN_ID, "/etc"))).isEmpty();
        assertThat(root.resolve(RUN_ID)).doesNotExist();
    }

    @Test
    void shouldListTheRunDirectoriesThatHoldAStore() throws Exception {
        await(backend.provision(run("run-b", root), secrets()));
        await(backend.provision(run("run-a", root), secrets()));
        Files.createDirectory(root.resolve("empty-run"));
        Files.createDirectory(root.resolve(".hidden"));
        Files.writeString(Files.createDirectory(root.resolve(".hidden-run")).resolve("store.json"), "[]");
        Files.createSymbolicLink(root.resolve("linked-run"), root.resolve("run-a"));
        Files.writeString(root.resolve("stray-file"), "x");

        assertThat(backend.runDirectories(root)).containsExactly("run-a", "run-b");
        assertThatThrownBy(() -> backend.runDirectories(base))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("filesystem.allowed-roots");
    }
}
