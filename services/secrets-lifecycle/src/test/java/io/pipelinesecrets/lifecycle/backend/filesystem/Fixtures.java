package io.pipelinesecrets.lifecycle.backend.filesystem;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

/** What the filesystem backend tests share: runs, secrets, reading a store back, waiting for outcomes. */
final class Fixtures {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Fixtures() {
    }

    static RunTarget run(String runId, Path secretsPath) {
        return run(runId, secretsPath == null ? null : secretsPath.toString());
    }

    static RunTarget run(String runId, String secretsPath) {
        return new RunTarget(runId, "ws-1", "user-1", "ce-hpc", "slurm", null, null, secretsPath);
    }

    static Secret secret(String name, String value) {
        return new Secret(Scope.WORKSPACE, "ws-1", name, 1, SecretValue.of(value));
    }

    static List<StoredSecret> stored(Path storeFile, String... names) {
        return Stream.of(names).map(name -> new StoredSecret(name, storeFile == null ? null : storeFile.toString()))
                .toList();
    }

    static List<SecretOutcome> await(CompletableFuture<List<SecretOutcome>> outcomes) throws Exception {
        return outcomes.get(10, TimeUnit.SECONDS);
    }

    /** The store as Nextflow's reader sees it: entries in file order, name -> value. */
    static List<Map<String, String>> readStore(Path storeFile) throws IOException {
        return MAPPER.readValue(Files.readAllBytes(storeFile), new TypeReference<List<Map<String, String>>>() {
        });
    }

    static Map<String, String> readStoreAsMap(Path storeFile) throws IOException {
        Map<String, String> values = new TreeMap<>();
        for (Map<String, String> entry : readStore(storeFile)) {
            assertThat(entry).containsOnlyKeys("name", "value");
            values.put(entry.get("name"), entry.get("value"));
        }
        return values;
    }

    static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, NOFOLLOW_LINKS));
    }

    /** Every outcome failed with the same error, of this kind and code; returns that error. */
    static BackendError assertAllFailed(List<SecretOutcome> outcomes, BackendError.Kind kind, String code) {
        assertThat(outcomes).isNotEmpty().allSatisfy(outcome -> {
            assertThat(outcome).isInstanceOf(SecretOutcome.Failed.class);
            BackendError error = ((SecretOutcome.Failed) outcome).error();
            assertThat(error.kind()).as(error.toString()).isEqualTo(kind);
            assertThat(error.code()).as(error.toString()).isEqualTo(code);
        });
        return ((SecretOutcome.Failed) outcomes.get(0)).error();
    }

    /** Every file and directory below {@code dir} with its size, to show a tree was left untouched. */
    static Map<String, Long> snapshot(Path dir) throws IOException {
        Map<String, Long> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                tree.put(dir.relativize(path).toString(), Files.isRegularFile(path, NOFOLLOW_LINKS)
                        ? Files.size(path) : -1L);
            }
        }
        return tree;
    }
}
