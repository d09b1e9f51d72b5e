package io.pipelinesecrets.lifecycle.backend.filesystem;

import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.contracts.RunIds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.NOT_A_DIRECTORY;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.PERMISSIONS_UNSUPPORTED;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.SECRETS_PATH_MISSING;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.SYMLINK_REFUSED;
import static io.pipelinesecrets.contracts.SafeText.printable;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * The blocking file operations on a run's store, for paths {@link RunStorePaths} already accepted. Anyone who can
 * write below an allowed root could plant a symbolic link to make the service write (or delete) elsewhere, so every
 * directory from the root down is checked to be a real directory, and the resolved real path is compared with the
 * expected one before anything is written or deleted.
 */
final class RunStoreFiles {

    private static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    /** Exactly this: Nextflow refuses a store file with any other permissions. */
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final String TEMP_PREFIX = "." + RunStorePaths.STORE_FILE_NAME + ".";
    private static final String TEMP_SUFFIX = ".tmp";
    /**
     * The task environment files Nextflow's LocalSecretsProvider writes next to the store ({@code .nf-<hash>.secrets},
     * the values as shell exports). They copy the run's secrets, so releasing the run removes them too.
     */
    private static final Pattern NEXTFLOW_TASK_SECRETS = Pattern.compile("\\.nf-[0-9A-Za-z]+\\.secrets");

    /**
     * The managed-by mark in every run directory the service writes: its owner, the service's instance id. The
     * reconciler deletes only marked directories, so a directory someone else made is never its business.
     */
    static final String MARK_FILE_NAME = ".managed-by";
    private static final int MARK_MAX_BYTES = 256;

    /** What releasing found; foreign entries keep the run directory in place. */
    record Removal(boolean directoryRemoved, int foreignEntries) {
    }

    private RunStoreFiles() {
    }

    /**
     * Replaces the run's store with {@code content} in one atomic rename, creating the run directory (with the
     * {@code owner}'s mark, before any store exists) if needed; unless {@code fence} is withdrawn before the rename.
     */
    static void write(RunStore store, byte[] content, Mark owner, CallFence fence) throws StoreRefusal, IOException {
        Path realSecretsPath = checkSecretsPath(store).orElseThrow(() -> StoreRefusal.retryable(SECRETS_PATH_MISSING,
                "secrets path '" + printable(store.secretsPath().toString()) + "' does not exist; the service"
                        + " creates only run directories"));
        Path directory = ensureRunDirectory(store, realSecretsPath);
        markIfUnmarked(directory, owner);
        refuseSymlink(store.storeFile(), "store file");
        Path temp = directory.resolve(TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX);
        boolean moved = false;
        try {
            // CREATE_NEW (O_EXCL) never opens an existing file or link; the attribute makes it owner-only at birth.
            try (FileChannel channel = FileChannel.open(temp, Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS),
                    ownerOnly(FILE_PERMISSIONS))) {
                setPermissions(temp, FILE_PERMISSIONS);
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            checkRealPath(directory, realSecretsPath.resolve(store.runId()), "run directory");
            refuseSymlink(store.storeFile(), "store file");
            // The rename is what makes the store visible: the last point at which a withdrawn call can still stop.
            if (fence.isWithdrawn()) {
                throw new StoreRefusal(fence.withdrawnError());
            }
            Files.move(temp, store.storeFile(), ATOMIC_MOVE, REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
        syncDirectory(directory);
        removeStaleTempFiles(directory);
    }

    /**
     * A write cut off half-way can leave its temp file (a full copy of the store) behind: when the share went away
     * under it, the cleanup above could not reach the file. The store just written supersedes it.
     */
    private static void removeStaleTempFiles(Path directory) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry, NOFOLLOW_LINKS)) {
                    deleteQuietly(entry);
                }
            }
        } catch (IOException | DirectoryIteratorException notNow) {
            // The run's release removes them.
        }
    }

    /**
     * Removes the store, our temp files and Nextflow's task copies, then the run directory unless something else
     * lives in it. Absent files and directories are fine: the end state is what counts.
     */
    static Removal remove(RunStore store) throws StoreRefusal, IOException {
        Optional<Path> existingSecretsPath = checkSecretsPath(store);
        if (existingSecretsPath.isEmpty()) {
            return new Removal(true, 0);
        }
        Path realSecretsPath = existingSecretsPath.get();
        Path directory = store.runDirectory();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(directory, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return new Removal(true, 0);
        }
        if (attributes.isSymbolicLink()) {
            throw symlinkRefused(directory, "run directory");
        }
        if (!attributes.isDirectory()) {
            return new Removal(false, 1);
        }
        checkRealPath(directory, realSecretsPath.resolve(store.runId()), "run directory");
        refuseSymlink(store.storeFile(), "store file");
        List<Path> ours = new ArrayList<>();
        int foreign = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (isOurs(entry)) {
                    ours.add(entry);
                } else {
                    foreign++;
                }
            }
        }
        // The mark goes last: a directory left half-removed by a crash still says whose it is.
        ours.sort(java.util.Comparator.comparing(entry -> entry.getFileName().toString().equals(MARK_FILE_NAME)));
        for (Path entry : ours) {
            Files.deleteIfExists(entry);
        }
        if (foreign > 0) {
            return new Removal(false, foreign);
        }
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException appearedMeanwhile) {
            return new Removal(false, 1);
        }
        return new Removal(true, 0);
    }

    /**
     * The run directories below {@code root} (at most {@code maxDepth} levels down, never through a link) carrying
     * {@code owner}'s mark, with the time of the mark: what the reconciler may consider.
     */
    static List<MarkedRun> markedRuns(Path root, Mark owner, int maxDepth) throws IOException {
        List<MarkedRun> marked = new ArrayList<>();
        try (var entries = Files.find(root, maxDepth + 1, (path, attributes) -> attributes.isRegularFile()
                && path.getFileName().toString().equals(MARK_FILE_NAME))) {
            for (Path mark : (Iterable<Path>) entries::iterator) {
                Path directory = mark.getParent();
                String runId = directory.getFileName().toString();
                if (!directory.equals(root) && RunIds.isValid(runId) && owner.equals(readMark(mark))) {
                    marked.add(new MarkedRun(runId, directory.getParent(), directory,
                            Files.getLastModifiedTime(mark, NOFOLLOW_LINKS).toInstant()));
                }
            }
        }
        marked.sort(java.util.Comparator.comparing(MarkedRun::runDirectory));
        return marked;
    }

    record MarkedRun(String runId, Path secretsPath, Path runDirectory, java.time.Instant markedAt) {
    }

    /**
     * What a run directory's mark says: the owner ({@code instance.id}) on the first line, then, from this version on,
     * {@code deployment=<mark>}. A mark without the second line was written before deployments were told apart.
     */
    record Mark(String owner, String deployment) {

        private static final String DEPLOYMENT = "deployment=";

        static Mark parse(String text) {
            String[] lines = text.strip().split("\n");
            String deployment = null;
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].strip().startsWith(DEPLOYMENT)) {
                    deployment = lines[i].strip().substring(DEPLOYMENT.length());
                }
            }
            return new Mark(lines[0].strip(), deployment);
        }

        String text() {
            return owner + "\n" + (deployment == null ? "" : DEPLOYMENT + deployment + "\n");
        }

        /** A run directory marked so may be written for this owner: its own, or its owner's before deployments. */
        boolean admits(Mark found) {
            return owner.equals(found.owner()) && (found.deployment() == null || Objects.equals(deployment, found.deployment()));
        }
    }

    /** The mark of the run directory, or empty when it has none (or not a readable one). */
    static Optional<Mark> markOf(RunStore store) throws IOException {
        Path mark = store.runDirectory().resolve(MARK_FILE_NAME);
        if (!Files.isRegularFile(mark, NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.ofNullable(readMark(mark));
    }

    private static Mark readMark(Path mark) throws IOException {
        if (Files.size(mark) > MARK_MAX_BYTES) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(mark, Set.of(READ, NOFOLLOW_LINKS))) {
            ByteBuffer buffer = ByteBuffer.allocate(MARK_MAX_BYTES);
            channel.read(buffer);
            String text = new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.UTF_8);
            return text.isBlank() ? null : Mark.parse(text);
        }
    }

    /**
     * Marks a new run directory as the owner's; a directory already marked must be the owner's, or the store of
     * another deployment (serving the same run ids under the same root) would be overwritten.
     */
    private static void markIfUnmarked(Path directory, Mark owner) throws StoreRefusal, IOException {
        Path mark = directory.resolve(MARK_FILE_NAME);
        refuseSymlink(mark, "managed-by mark");
        try (FileChannel channel = FileChannel.open(mark, Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS),
                ownerOnly(FILE_PERMISSIONS))) {
            channel.write(ByteBuffer.wrap(owner.text().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            channel.force(true);
        } catch (FileAlreadyExistsException marked) {
            Mark found = readMark(mark);
            if (found != null && !owner.admits(found)) {
                throw StoreRefusal.permanent(FilesystemErrorCodes.NOT_OURS, "run directory '" + printable(directory.toString())
                        + "' is marked by " + found.owner() + (found.deployment() == null ? "" : " of deployment "
                        + found.deployment()) + ", not by this deployment; left untouched");
            }
        }
    }

    /** Names of the run directories directly under {@code secretsPath} that hold a store, sorted. */
    static List<String> runDirectories(Path secretsPath) throws IOException {
        List<String> runs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(secretsPath)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (RunIds.isValid(name) && Files.isDirectory(entry, NOFOLLOW_LINKS)
                        && Files.isRegularFile(entry.resolve(RunStorePaths.STORE_FILE_NAME), NOFOLLOW_LINKS)) {
                    runs.add(name);
                }
            }
        }
        Collections.sort(runs);
        return runs;
    }

    /**
     * Checks that the root exists and every directory below it down to the secrets path is a real directory, and
     * returns the secrets path's real path, or empty when a directory below the root is missing. The root is
     * trusted as configured (it may be a link an administrator set up). A missing root is retryable whatever the
     * operation: it is what an unmounted shared filesystem looks like, and neither writing nor "nothing to delete"
     * would be true of the store once it is back.
     */
    private static Optional<Path> checkSecretsPath(RunStore store) throws StoreRefusal, IOException {
        Path root = store.root();
        if (!Files.isDirectory(root)) {
            throw StoreRefusal.retryable(SECRETS_PATH_MISSING, "allowed root '" + root + "' does not exist or is not"
                    + " a directory (shared filesystem not mounted?)");
        }
        Path secretsPath = store.secretsPath();
        Path current = root;
        for (int i = root.getNameCount(); i < secretsPath.getNameCount(); i++) {
            current = current.resolve(secretsPath.getName(i).toString());
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(current, BasicFileAttributes.class, NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                return Optional.empty();
            }
            if (attributes.isSymbolicLink()) {
                throw symlinkRefused(current, "secrets path component");
            }
            if (!attributes.isDirectory()) {
                throw StoreRefusal.permanent(NOT_A_DIRECTORY, "secrets path component '"
                        + printable(current.toString()) + "' is not a directory");
            }
        }
        Path expected = root.toRealPath().resolve(root.relativize(secretsPath));
        checkRealPath(secretsPath, expected, "secrets path");
        return Optional.of(expected);
    }

    private static Path ensureRunDirectory(RunStore store, Path realSecretsPath) throws StoreRefusal, IOException {
        Path directory = store.runDirectory();
        try {
            Files.createDirectory(directory, ownerOnly(DIRECTORY_PERMISSIONS));
        } catch (FileAlreadyExistsException exists) {
            // mkdir does not follow a link in the last component, so whatever is there is looked at, not through.
            BasicFileAttributes attributes = Files.readAttributes(directory, BasicFileAttributes.class, NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                throw symlinkRefused(directory, "run directory");
            }
            if (!attributes.isDirectory()) {
                throw StoreRefusal.permanent(NOT_A_DIRECTORY, "run directory '" + directory + "' exists and is not"
                        + " a directory");
            }
        }
        // A umask may have narrowed the mode at creation, and an earlier directory may have been widened since.
        setPermissions(directory, DIRECTORY_PERMISSIONS);
        checkRealPath(directory, realSecretsPath.resolve(store.runId()), "run directory");
        return directory;
    }

    private static boolean isOurs(Path entry) {
        String name = entry.getFileName().toString();
        boolean ourName = name.equals(RunStorePaths.STORE_FILE_NAME) || name.equals(MARK_FILE_NAME)
                || (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX))
                || NEXTFLOW_TASK_SECRETS.matcher(name).matches();
        return ourName && Files.isRegularFile(entry, NOFOLLOW_LINKS);
    }

    private static void checkRealPath(Path path, Path expected, String what) throws StoreRefusal, IOException {
        if (!path.toRealPath().equals(expected)) {
            throw symlinkRefused(path, what + " (resolves outside its expected place)");
        }
    }

    private static void refuseSymlink(Path path, String what) throws StoreRefusal {
        if (Files.isSymbolicLink(path)) {
            throw symlinkRefused(path, what);
        }
    }

    private static StoreRefusal symlinkRefused(Path path, String what) {
        return StoreRefusal.permanent(SYMLINK_REFUSED, what + " '" + printable(path.toString())
                + "' is a symbolic link; the service never writes or deletes through one");
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }

    /** Through a no-follow view: a link swapped in meanwhile makes this fail instead of changing its target. */
    private static void setPermissions(Path path, Set<PosixFilePermission> permissions) throws StoreRefusal, IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, NOFOLLOW_LINKS);
        if (view == null) {
            throw StoreRefusal.permanent(PERMISSIONS_UNSUPPORTED, "'" + path + "' is on a filesystem without POSIX"
                    + " permissions; owner-only access cannot be guaranteed");
        }
        view.setPermissions(permissions);
    }

    /** Makes the rename itself durable; best effort, since not every platform can sync a directory. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException unsupported) {
            // The store is in place either way; only a crash right now could lose the rename.
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException leftover) {
            // Named like our temp files, so the run's release removes it.
        }
    }
}
