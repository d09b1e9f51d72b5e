package io.pipelinesecrets.lifecycle.backend.filesystem;

import java.nio.file.Path;

/**
 * Where one run's store lives, every path absolute and normalised, already checked against the allow-list.
 *
 * @param root          the allowed root containing {@code secretsPath} (trusted as configured)
 * @param secretsPath   the directory holding run directories; equal to or below {@code root}
 * @param runDirectory  {@code <secretsPath>/<runId>}
 * @param storeFile     {@code <secretsPath>/<runId>/store.json}
 */
record RunStore(String runId, Path root, Path secretsPath, Path runDirectory, Path storeFile) {
}
