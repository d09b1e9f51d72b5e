package io.pipelinesecrets.lifecycle.backend.filesystem;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilesystemBackendConfigTest {

    @Test
    void shouldRejectAnEmptyAllowListNamingTheKeyAndTheFix() {
        assertThatThrownBy(() -> new FilesystemBackendConfig(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filesystem.allowed-roots")
                .hasMessageContaining("at least one absolute directory");
        assertThatThrownBy(() -> new FilesystemBackendConfig(null, null))
                .hasMessageContaining("filesystem.allowed-roots");
    }

    @Test
    void shouldRejectARelativeOrMissingRootNamingTheKey() {
        assertThatThrownBy(() -> new FilesystemBackendConfig(List.of(Path.of("/srv/secrets"), Path.of("secrets"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filesystem.allowed-roots")
                .hasMessageContaining("'secrets' is not absolute");
        assertThatThrownBy(() -> new FilesystemBackendConfig(Arrays.asList(Path.of("/srv/secrets"), null)))
                .hasMessageContaining("filesystem.allowed-roots");
    }

    @Test
    void shouldRejectADefaultRootOutsideTheAllowedRootsNamingBothKeys() {
        assertThatThrownBy(() -> new FilesystemBackendConfig(List.of(Path.of("/srv/secrets")), Path.of("/srv/secrets-other")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filesystem.default-root '/srv/secrets-other' is not inside")
                .hasMessageContaining("filesystem.allowed-roots [/srv/secrets]");
        assertThatThrownBy(() -> new FilesystemBackendConfig(List.of(Path.of("/srv/secrets")), Path.of("/srv/secrets/../etc")))
                .hasMessageContaining("filesystem.default-root");
    }

    @Test
    void shouldRejectARelativeDefaultRootNamingTheKey() {
        assertThatThrownBy(() -> new FilesystemBackendConfig(List.of(Path.of("/srv/secrets")), Path.of("runs")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filesystem.default-root 'runs' is not absolute");
    }

    @Test
    void shouldKeepNormalisedRootsThatCannotBeChangedAfterwards() {
        List<Path> roots = new ArrayList<>(List.of(Path.of("/srv/./secrets/")));
        FilesystemBackendConfig config = new FilesystemBackendConfig(roots, Path.of("/srv/secrets/dev/../hpc"));
        roots.add(Path.of("/etc"));

        assertThat(config.allowedRoots()).containsExactly(Path.of("/srv/secrets"));
        assertThat(config.defaultRoot()).isEqualTo(Path.of("/srv/secrets/hpc"));
        assertThat(config.defaultRootIfSet()).contains(Path.of("/srv/secrets/hpc"));
        assertThatThrownBy(() -> config.allowedRoots().add(Path.of("/etc")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(new FilesystemBackendConfig(List.of(Path.of("/srv"))).defaultRootIfSet()).isEmpty();
    }

    @Test
    void shouldPickTheMostSpecificRootContainingAPath() {
        FilesystemBackendConfig config = new FilesystemBackendConfig(
                List.of(Path.of("/shared"), Path.of("/shared/secrets"), Path.of("/other")));

        assertThat(config.rootContaining(Path.of("/shared/secrets/runs"))).contains(Path.of("/shared/secrets"));
        assertThat(config.rootContaining(Path.of("/shared/work"))).contains(Path.of("/shared"));
        assertThat(config.rootContaining(Path.of("/sharedother"))).isEmpty();
    }

    @Test
    void shouldRefuseAComputeEnvironmentBindingOutsideTheAllowedRootsNamingItsKey() {
        FilesystemBackendConfig config = new FilesystemBackendConfig(List.of(Path.of("/shared")));

        assertThatThrownBy(() -> config.withBindings(new FilesystemComputeEnvBindings(
                java.util.Map.of("ce-1", List.of(Path.of("/shared/ok"), Path.of("/etc"))), false)))
                .hasMessageContaining("filesystem.compute-env.ce-1.roots").hasMessageContaining("'/etc'")
                .hasMessageNotContaining("/shared/ok'");
        assertThatThrownBy(() -> config.withBindings(new FilesystemComputeEnvBindings(
                java.util.Map.of("ce-1", List.of(Path.of("/shared/../etc"))), false)))
                .as("normalised before it is checked").hasMessageContaining("'/etc'");
    }
}
