package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.await;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.run;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.secret;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.stored;
import static org.assertj.core.api.Assertions.assertThat;

/** What the reconciler sees of the filesystem backend: run directories with this service's mark, and nothing else. */
class FilesystemBackendReconcileTest {

    @TempDir
    Path root;

    private FilesystemBackend backend;

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void shouldListTheRunDirectoriesItMarkedAtAnyNestingBelowTheRoots() throws Exception {
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root), null, "instance-a"));
        Path nested = Files.createDirectories(root.resolve("ws-1/hpc"));
        await(backend.provision(run("run-top", root), List.of(secret("A", "1"))));
        await(backend.provision(run("run-nested", nested), List.of(secret("B", "2"))));

        List<OwnedEntry> owned = backend.listOwned().get(10, TimeUnit.SECONDS);

        assertThat(owned).extracting(OwnedEntry::runId, OwnedEntry::ref).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("run-top", root.resolve("run-top").toString()),
                org.assertj.core.groups.Tuple.tuple("run-nested", nested.resolve("run-nested").toString()));
        assertThat(owned).allSatisfy(entry -> {
            assertThat(entry.backend()).isEqualTo("filesystem");
            assertThat(entry.createdAt()).isBefore(Instant.now().plusSeconds(1));
        });
        assertThat(Files.readString(root.resolve("run-top/.managed-by")).strip()).isEqualTo("instance-a");
    }

    @Test
    void shouldNeverListADirectoryWithoutItsMarkOrWithAnotherOwnersMark() throws Exception {
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root), null, "instance-a"));
        Path unmarked = Files.createDirectories(root.resolve("run-by-hand"));
        Files.writeString(unmarked.resolve("store.json"), "[]");
        try (FilesystemBackend other = new FilesystemBackend(new FilesystemBackendConfig(List.of(root), null, "instance-b"))) {
            await(other.provision(run("run-of-b", root), List.of(secret("A", "1"))));
        }

        assertThat(backend.listOwned().get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void shouldDeleteAnOwnedRunDirectoryAndRefuseOneWhoseMarkIsNotItsOwn() throws Exception {
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root), null, "instance-a"));
        await(backend.provision(run("run-left", root), List.of(secret("A", "1"))));
        OwnedEntry left = backend.listOwned().get(10, TimeUnit.SECONDS).get(0);

        SecretOutcome deleted = backend.deleteOwned(left).get(10, TimeUnit.SECONDS);

        assertThat(deleted).isInstanceOf(SecretOutcome.Deleted.class);
        assertThat(root.resolve("run-left")).doesNotExist();

        Path foreign = Files.createDirectories(root.resolve("run-foreign"));
        Files.writeString(foreign.resolve(".managed-by"), "instance-b\n");
        Files.writeString(foreign.resolve("store.json"), "[]");
        OwnedEntry forged = new OwnedEntry("filesystem", "run-foreign", foreign.toString(), Instant.EPOCH,
                RunTarget.located("run-foreign", null, null, root.toString()));
        SecretOutcome refused = backend.deleteOwned(forged).get(10, TimeUnit.SECONDS);

        assertThat(refused).isInstanceOfSatisfying(SecretOutcome.Failed.class,
                failed -> assertThat(failed.error().code()).isEqualTo("NOT_OURS"));
        assertThat(foreign.resolve("store.json")).exists();
    }

    @Test
    void shouldRemoveTheMarkWithTheStoreOnAnOrdinaryRelease() throws Exception {
        backend = new FilesystemBackend(new FilesystemBackendConfig(List.of(root), null, "instance-a"));
        await(backend.provision(run("run-1", root), List.of(secret("A", "1"))));

        await(backend.release(run("run-1", root), stored(root.resolve("run-1/store.json"), "A")));

        assertThat(root.resolve("run-1")).doesNotExist();
    }
}
