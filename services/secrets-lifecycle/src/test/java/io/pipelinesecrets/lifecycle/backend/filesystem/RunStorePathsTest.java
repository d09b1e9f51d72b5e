package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.BackendError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static io.pipelinesecrets.lifecycle.backend.filesystem.Fixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RunStorePathsTest {

    private static final Path ROOT = Path.of("/shared/secrets");

    private final RunStorePaths paths = new RunStorePaths(
            new FilesystemBackendConfig(List.of(ROOT, Path.of("/scratch")), ROOT.resolve("default")));

    @Test
    void shouldPlaceTheStoreInADirectoryNamedAfterTheRun() throws StoreRefusal {
        RunStore store = paths.resolve(run("4Bi5xBK6E2Nbhj", "/shared/secrets/hpc"));

        assertThat(store.root()).isEqualTo(ROOT);
        assertThat(store.secretsPath()).isEqualTo(Path.of("/shared/secrets/hpc"));
        assertThat(store.runDirectory()).isEqualTo(Path.of("/shared/secrets/hpc/4Bi5xBK6E2Nbhj"));
        assertThat(store.storeFile()).isEqualTo(Path.of("/shared/secrets/hpc/4Bi5xBK6E2Nbhj/store.json"));
        assertThat(paths.storeFile(run("4Bi5xBK6E2Nbhj", "/scratch")))
                .contains(Path.of("/scratch/4Bi5xBK6E2Nbhj/store.json"));
    }

    @Test
    void shouldUseTheDefaultRootWhenTheRunNamesNoSecretsPath() throws StoreRefusal {
        assertThat(paths.resolve(run("run-1", (String) null)).storeFile())
                .isEqualTo(Path.of("/shared/secrets/default/run-1/store.json"));
    }

    @Test
    void shouldRefuseARunWithoutSecretsPathWhenThereIsNoDefaultRoot() {
        RunStorePaths withoutDefault = new RunStorePaths(new FilesystemBackendConfig(List.of(ROOT)));

        BackendError error = refusal(withoutDefault, run("run-1", (String) null));

        assertThat(error.code()).isEqualTo("PATH_NOT_ALLOWED");
        assertThat(error.message()).contains("filesystem.default-root");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc", "/shared", "/shared/secrets-other", "/", "/scratchpad/x"})
    void shouldRefuseASecretsPathOutsideTheAllowedRootsNamingPathAndRoots(String secretsPath) {
        BackendError error = refusal(paths, run("run-1", secretsPath));

        assertThat(error.kind()).isEqualTo(BackendError.Kind.PERMANENT);
        assertThat(error.code()).isEqualTo("PATH_NOT_ALLOWED");
        assertThat(error.message()).contains("'" + secretsPath + "'").contains("[/shared/secrets, /scratch]");
        assertThat(paths.storeFile(run("run-1", secretsPath))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared/secrets", "secrets", "", "./x"})
    void shouldRefuseARelativeSecretsPath(String secretsPath) {
        BackendError error = refusal(paths, run("run-1", secretsPath));

        assertThat(error.code()).isEqualTo("PATH_NOT_ALLOWED");
        assertThat(error.message()).contains("not absolute");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/shared/secrets/../../etc", "/shared/secrets/..", "/shared/secrets/hpc/../hpc",
            "/shared/secrets/./hpc"})
    void shouldRefuseASecretsPathWithDotComponentsEvenWhenItWouldStayInside(String secretsPath) {
        BackendError error = refusal(paths, run("run-1", secretsPath));

        assertThat(error.code()).isEqualTo("PATH_NOT_ALLOWED");
        assertThat(error.message()).contains("'.' or '..'");
    }

    @Test
    void shouldRefuseAnUnparseablePath() {
        assertThat(refusal(paths, run("run-1", "/shared/secrets/a\u0000b")).code()).isEqualTo("PATH_NOT_ALLOWED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "../x", "a/b", "", ".hidden", "-rf", "run 1", "run\u0000", "a\\b"})
    void shouldRefuseAnInvalidRunId(String runId) {
        BackendError error = refusal(paths, run(runId, "/shared/secrets"));

        assertThat(error.kind()).isEqualTo(BackendError.Kind.PERMANENT);
        assertThat(error.code()).isEqualTo("INVALID_RUN_ID");
    }

    @Test
    void shouldEscapeControlCharactersFromTheEventInMessages() {
        BackendError error = refusal(paths, run("run-1", "/etc/x\nINFO forged line"));

        assertThat(error.message()).doesNotContain("\n").contains("/etc/x\\u000aINFO forged line");
    }

    @Test
    void shouldAcceptOnlyAllowedRootsForListing() {
        assertThat(paths.allowedRoot(Path.of("/shared/secrets/hpc/"))).isEqualTo(Path.of("/shared/secrets/hpc"));
        assertThatThrownBy(() -> paths.allowedRoot(Path.of("/shared/secrets/../etc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filesystem.allowed-roots");
    }

    private static BackendError refusal(RunStorePaths paths, io.pipelinesecrets.lifecycle.port.RunTarget run) {
        StoreRefusal refusal = catchThrowableOfType(StoreRefusal.class, () -> paths.resolve(run));
        assertThat(refusal).as("refused").isNotNull();
        return refusal.error();
    }
}
