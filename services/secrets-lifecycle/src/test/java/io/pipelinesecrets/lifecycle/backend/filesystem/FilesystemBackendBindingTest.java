package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.assertAllFailed;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.await;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.secret;
import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compute environments bound to directories inside the shared allowed root: a launch of one tenant's compute
 * environment cannot write into another's directory, and with bindings required an unbound one writes nowhere.
 */
class FilesystemBackendBindingTest {

    private static final List<Secret> SECRETS = List.of(secret("DB_PASSWORD", "hunter2"));

    @TempDir
    Path base;

    private Path root;
    private Path tenantA;
    private Path tenantB;
    private FilesystemBackend backend;

    @BeforeEach
    void createTheTenantsDirectories() throws Exception {
        root = Files.createDirectory(base.resolve("secrets"));
        tenantA = Files.createDirectory(root.resolve("tenant-a"));
        tenantB = Files.createDirectory(root.resolve("tenant-b"));
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void shouldRefuseADirectoryBoundToAnotherComputeEnvironmentWithoutWritingAnything() throws Exception {
        backend = backend(true);
        Map<String, Long> before = snapshot(root);

        List<SecretOutcome> outcomes = await(backend.provision(run("run-1", "ce-a", tenantB), SECRETS));

        BackendError error = assertAllFailed(outcomes, BackendError.Kind.PERMANENT, FilesystemErrorCodes.PATH_NOT_ALLOWED);
        assertThat(error.message()).contains("filesystem.compute-env.ce-a.roots").contains(tenantB.toString());
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void shouldWriteIntoTheDirectoryBoundToTheComputeEnvironment() throws Exception {
        backend = backend(true);
        Path nested = Files.createDirectory(tenantA.resolve("hpc"));

        List<SecretOutcome> outcomes = await(backend.provision(run("run-1", "ce-a", nested), SECRETS));

        assertThat(outcomes).singleElement().isInstanceOf(SecretOutcome.Created.class);
        assertThat(nested.resolve("run-1/store.json")).exists();
    }

    @Test
    void shouldRefuseTheDefaultRootWhenItIsOutsideTheComputeEnvironmentsBinding() throws Exception {
        backend = backend(true);

        List<SecretOutcome> outcomes = await(backend.provision(run("run-1", "ce-a", null), SECRETS));

        assertAllFailed(outcomes, BackendError.Kind.PERMANENT, FilesystemErrorCodes.PATH_NOT_ALLOWED);
        assertThat(root.resolve("run-1")).doesNotExist();
    }

    @Test
    void shouldLetAnUnboundComputeEnvironmentWriteNowhereWhenBindingsAreRequired() throws Exception {
        backend = backend(true);
        Map<String, Long> before = snapshot(root);

        List<SecretOutcome> outcomes = await(backend.provision(run("run-1", "ce-unbound", root), SECRETS));

        BackendError error = assertAllFailed(outcomes, BackendError.Kind.PERMANENT, FilesystemErrorCodes.PATH_NOT_ALLOWED);
        assertThat(error.message()).contains("filesystem.compute-env.ce-unbound.roots")
                .contains("filesystem.require-compute-env-binding");
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void shouldLetAnUnboundComputeEnvironmentUseTheAllowedRootsWhenBindingsAreOptional() throws Exception {
        backend = backend(false);

        List<SecretOutcome> unbound = await(backend.provision(run("run-1", "ce-unbound", tenantB), SECRETS));
        List<SecretOutcome> boundElsewhere = await(backend.provision(run("run-2", "ce-a", tenantB), SECRETS));

        assertThat(unbound).singleElement().isInstanceOf(SecretOutcome.Created.class);
        assertAllFailed(boundElsewhere, BackendError.Kind.PERMANENT, FilesystemErrorCodes.PATH_NOT_ALLOWED);
    }

    @Test
    void shouldStillLetTheReconcilerDeleteALeftoverItListedUnderTheAllowedRoots() throws Exception {
        backend = backend(true);
        await(backend.provision(run("run-1", "ce-a", tenantA), SECRETS));
        List<OwnedEntry> owned = backend.listOwned().get(10, TimeUnit.SECONDS);

        SecretOutcome deleted = backend.deleteOwned(owned.get(0)).get(10, TimeUnit.SECONDS);

        assertThat(deleted).isInstanceOf(SecretOutcome.Deleted.class);
        assertThat(tenantA.resolve("run-1")).doesNotExist();
    }

    private FilesystemBackend backend(boolean required) {
        FilesystemComputeEnvBindings bindings = new FilesystemComputeEnvBindings(
                Map.of("ce-a", List.of(tenantA), "ce-b", List.of(tenantB)), required);
        return new FilesystemBackend(new FilesystemBackendConfig(List.of(root), root, "instance-a").withBindings(bindings));
    }

    private static RunTarget run(String runId, String computeEnvId, Path secretsPath) {
        return new RunTarget(runId, "ws-1", "user-1", computeEnvId, "slurm", null, null,
                secretsPath == null ? null : secretsPath.toString());
    }
}
