package io.pipelinesecrets.lifecycle.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The shared filesystem going away and coming back, for real: the allowed root is renamed aside (what the service
 * sees when the share under it is unmounted: the root is missing) and renamed back. Every store stays as it was;
 * meanwhile each write or delete the backend tries fails, and must be retried until the root is back.
 */
final class FilesystemOutage {

    private final Path root;
    private final Path aside;
    private boolean down;

    FilesystemOutage(Path root) {
        this.root = root;
        this.aside = root.resolveSibling(root.getFileName() + ".unmounted");
    }

    void begin() {
        move(root, aside);
        down = true;
    }

    void end() {
        if (down) {
            move(aside, root);
            down = false;
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
