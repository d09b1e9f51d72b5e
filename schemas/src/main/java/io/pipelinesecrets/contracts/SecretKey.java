package io.pipelinesecrets.contracts;

import io.pipelinesecrets.events.SecretScope;

import java.util.Objects;

/**
 * Key of the compacted secrets topic: {@code workspace:<workspaceId>:<NAME>} or {@code user:<userId>:<NAME>}.
 *
 * <p>The scope comes first and the owner id is terminated by {@code ':'} so that all secrets of one owner share
 * the prefix {@link #ownerPrefix}: one prefix scan of a store keyed this way returns exactly one workspace's or
 * one user's secrets ({@code workspace:1:} is not a prefix of {@code workspace:12:...}).
 */
public record SecretKey(SecretScope scope, String ownerId, String name) {

    /** Owner ids are platform ids; this bound keeps keys and store entries small. */
    public static final int MAX_OWNER_ID_LENGTH = 128;

    private static final char SEPARATOR = ':';

    public SecretKey {
        Objects.requireNonNull(scope, "scope");
        if (scope == SecretScope.UNKNOWN) {
            throw new MalformedSecretKeyException("scope must be WORKSPACE or USER, not UNKNOWN");
        }
        String ownerProblem = ownerIdProblem(ownerId);
        if (ownerProblem != null) {
            throw new MalformedSecretKeyException(ownerProblem);
        }
        SecretName.problem(name).ifPresent(p -> {
            throw new MalformedSecretKeyException("invalid secret name " + SafeText.quoted(name) + ": " + p);
        });
    }

    public static SecretKey workspace(String workspaceId, String name) {
        return new SecretKey(SecretScope.WORKSPACE, workspaceId, name);
    }

    public static SecretKey user(String userId, String name) {
        return new SecretKey(SecretScope.USER, userId, name);
    }

    /**
     * Parses a secrets-topic key.
     *
     * @throws MalformedSecretKeyException naming the key and what is wrong with it
     */
    public static SecretKey parse(String key) {
        if (key == null) {
            throw new MalformedSecretKeyException("key is missing (null)");
        }
        int first = key.indexOf(SEPARATOR);
        int last = key.lastIndexOf(SEPARATOR);
        if (first < 0 || first == last) {
            throw new MalformedSecretKeyException(
                    "key " + SafeText.quoted(key) + " is not of the form workspace:<workspaceId>:<NAME> or user:<userId>:<NAME>");
        }
        SecretScope scope = scopeOf(key.substring(0, first));
        if (scope == null) {
            throw new MalformedSecretKeyException("key " + SafeText.quoted(key) + " starts with "
                    + SafeText.quoted(key.substring(0, first)) + "; expected 'workspace' or 'user'");
        }
        try {
            return new SecretKey(scope, key.substring(first + 1, last), key.substring(last + 1));
        } catch (MalformedSecretKeyException e) {
            throw new MalformedSecretKeyException("key " + SafeText.quoted(key) + ": " + e.getMessage());
        }
    }

    /** The prefix shared by every key of one owner's secrets, for prefix scans. */
    public static String ownerPrefix(SecretScope scope, String ownerId) {
        String problem = ownerIdProblem(ownerId);
        if (problem != null) {
            throw new MalformedSecretKeyException(problem);
        }
        return prefixOf(scope) + SEPARATOR + ownerId + SEPARATOR;
    }

    /** The key as it appears on the topic. */
    @Override
    public String toString() {
        return ownerPrefix(scope, ownerId) + name;
    }

    private static String prefixOf(SecretScope scope) {
        return switch (scope) {
            case WORKSPACE -> "workspace";
            case USER -> "user";
            case UNKNOWN -> throw new MalformedSecretKeyException("scope must be WORKSPACE or USER, not UNKNOWN");
        };
    }

    private static SecretScope scopeOf(String prefix) {
        return switch (prefix) {
            case "workspace" -> SecretScope.WORKSPACE;
            case "user" -> SecretScope.USER;
            default -> null;
        };
    }

    /**
     * Why a workspace or user id is not one the service accepts, or null when it is: 1 to {@value #MAX_OWNER_ID_LENGTH}
     * characters, none of them ':', whitespace or a control character. The same rule holds for the ids a launch names,
     * so that a run never resolves its secrets with an id no secret can be stored under.
     */
    public static String ownerIdProblem(String ownerId) {
        if (ownerId == null || ownerId.isEmpty()) {
            return "owner id is empty";
        }
        if (ownerId.length() > MAX_OWNER_ID_LENGTH) {
            return "owner id is longer than " + MAX_OWNER_ID_LENGTH + " characters";
        }
        for (int i = 0; i < ownerId.length(); i++) {
            char c = ownerId.charAt(i);
            if (c == SEPARATOR || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "owner id " + SafeText.quoted(ownerId) + " has a ':', whitespace or control character at index "
                        + i + "; owner ids must not contain any";
            }
        }
        return null;
    }
}
