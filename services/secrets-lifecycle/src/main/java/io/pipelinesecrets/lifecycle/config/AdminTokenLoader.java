package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.lifecycle.admin.AdminToken;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The admin bearer token, from {@code admin.token-file} (a file of its own, e.g. a mounted Kubernetes Secret) or
 * {@code admin.token} (the environment only, see {@link ConfigLoader}); neither set means no token, and admin
 * HTTP then keeps {@code /runs} off. Every problem names the key and the fix and never quotes the token.
 */
public final class AdminTokenLoader {

    public static final String TOKEN_FILE = "admin.token-file";
    public static final String TOKEN = "admin.token";
    /** A token file holds one token; a file far larger is the wrong file, and is not read into memory whole. */
    static final int MAX_FILE_BYTES = 4096;
    private static final String HOW_TO_MAKE_ONE = "use a random token, e.g. openssl rand -base64 32";

    private AdminTokenLoader() {
    }

    /**
     * @param tokenFile the value of {@code admin.token-file}, "" when unset
     * @param token     the value of {@code admin.token}, "" when unset
     * @param problems  where a problem is added, one line each
     */
    public static Optional<AdminToken> load(String tokenFile, String token, List<String> problems) {
        if (!tokenFile.isEmpty() && !token.isEmpty()) {
            problems.add(TOKEN_FILE + " and " + TOKEN + " (" + ConfigLoader.environmentName(TOKEN) + ") are both set;"
                    + " keep one, preferably " + TOKEN_FILE + " pointing at a mounted Secret");
            return Optional.empty();
        }
        if (!tokenFile.isEmpty()) {
            return readFile(Path.of(tokenFile), problems)
                    .flatMap(text -> valid(text, TOKEN_FILE + "=" + tokenFile, problems));
        }
        if (!token.isEmpty()) {
            return valid(token, TOKEN + " (" + ConfigLoader.environmentName(TOKEN) + ")", problems);
        }
        return Optional.empty();
    }

    private static Optional<String> readFile(Path file, List<String> problems) {
        String key = TOKEN_FILE + "=" + file;
        if (Files.isDirectory(file)) {
            problems.add(key + " is a directory; point it at the file in it that holds the token (a mounted Secret"
                    + " is a directory with one file per key, e.g. " + file.resolve("token") + ")");
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            problems.add(key + ": cannot read (" + e.getClass().getSimpleName() + "); mount the Secret holding the"
                    + " admin token there and make it readable by the service's user, or unset " + TOKEN_FILE);
            return Optional.empty();
        }
        if (bytes.length > MAX_FILE_BYTES) {
            problems.add(key + " is larger than " + MAX_FILE_BYTES + " bytes; it must hold only the token");
            return Optional.empty();
        }
        // Secrets made with `echo` or an editor end in a newline; the token is what lies between.
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            problems.add(key + " is empty; put the admin token in it (" + HOW_TO_MAKE_ONE + ")");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    private static Optional<AdminToken> valid(String text, String source, List<String> problems) {
        Optional<String> problem = AdminToken.problem(text);
        if (problem.isPresent()) {
            problems.add(source + ": the token " + problem.get() + "; " + HOW_TO_MAKE_ONE);
            return Optional.empty();
        }
        return Optional.of(AdminToken.of(text));
    }
}
