package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.contracts.SecretName;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Computes a run's merged secret set (docs/design.md §1): every secret of the run's workspace plus every
 * secret of the launching user, the user's winning on a name clash. With a selection, only the selected names,
 * and a selected name that does not exist makes the run unresolvable — a missing secret is an error the user must
 * see, not something to skip silently.
 */
public final class SecretSetResolver {

    public static final String SECRET_NOT_FOUND = "SECRET_NOT_FOUND";
    public static final String INVALID_SELECTION = "INVALID_SELECTION";
    public static final String TOO_MANY_SECRETS = "TOO_MANY_SECRETS";
    /** The default cap on a run's set: far above what pipelines use, far below what would strain memory. */
    public static final int DEFAULT_MAX_SECRETS = 1_000;
    /** How many offending names an error message lists; the count says how many more there were. */
    private static final int NAMES_SHOWN = 20;

    private SecretSetResolver() {
    }

    /** With the default cap on the size of a run's set. */
    public static Resolution resolve(String workspaceId, String userId, Selection selection, SecretSource source) {
        return resolve(workspaceId, userId, selection, source, DEFAULT_MAX_SECRETS);
    }

    /**
     * @param maxSecrets the most secrets the set may hold; a larger one is {@link #TOO_MANY_SECRETS}, found without
     *                   reading more than {@code maxSecrets} + 1 secrets of any owner
     */
    public static Resolution resolve(String workspaceId, String userId, Selection selection, SecretSource source,
                                     int maxSecrets) {
        if (selection != null) {
            return resolveSelection(workspaceId, userId, selection, source, maxSecrets);
        }
        Map<String, Secret> workspace = byName(source.secretsOf(Scope.WORKSPACE, workspaceId, maxSecrets),
                Scope.WORKSPACE, workspaceId);
        Map<String, Secret> user = byName(source.secretsOf(Scope.USER, userId, maxSecrets), Scope.USER, userId);
        Map<String, Secret> merged = new TreeMap<>(workspace);
        merged.putAll(user);
        if (workspace.size() > maxSecrets || user.size() > maxSecrets || merged.size() > maxSecrets) {
            return tooMany(maxSecrets);
        }
        return new Resolution.Resolved(List.copyOf(merged.values()));
    }

    private static Resolution resolveSelection(String workspaceId, String userId, Selection selection,
                                               SecretSource source, int maxSecrets) {
        if (selection.workspaceSecrets().size() + selection.userSecrets().size() > 2 * maxSecrets) {
            return tooMany(maxSecrets);
        }
        List<String> invalid = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, Secret> merged = new TreeMap<>();
        for (String name : selection.workspaceSecrets()) {
            pick(name, Scope.WORKSPACE, workspaceId, source, merged, invalid, missing);
        }
        for (String name : selection.userSecrets()) {
            pick(name, Scope.USER, userId, source, merged, invalid, missing);
        }
        if (merged.size() > maxSecrets) {
            return tooMany(maxSecrets);
        }
        if (!invalid.isEmpty()) {
            return new Resolution.Unresolvable(INVALID_SELECTION, "selected secret names are not valid: " + listed(invalid));
        }
        if (!missing.isEmpty()) {
            return new Resolution.Unresolvable(SECRET_NOT_FOUND, "selected secrets do not exist: " + listed(missing));
        }
        return new Resolution.Resolved(List.copyOf(merged.values()));
    }

    /** User secrets are picked after workspace ones, so a user secret selected under a clashing name wins. */
    private static void pick(String name, Scope scope, String ownerId, SecretSource source, Map<String, Secret> merged,
                             List<String> invalid, List<String> missing) {
        String scopeLabel = scope == Scope.USER ? "user" : "workspace";
        if (!SecretName.isValid(name)) {
            // Names come from the event: quote a bounded, printable form of a bad one.
            invalid.add(scopeLabel + ":" + (name == null ? "null" : SafeText.printable(name)));
            return;
        }
        Optional<Secret> secret = source.secret(scope, ownerId, name)
                .filter(found -> belongsTo(found, scope, ownerId) && found.name().equals(name));
        if (secret.isEmpty()) {
            missing.add(scopeLabel + ":" + name);
        } else {
            merged.put(name, secret.get());
        }
    }

    private static String listed(List<String> names) {
        return names.size() <= NAMES_SHOWN ? names.toString()
                : names.subList(0, NAMES_SHOWN) + " and " + (names.size() - NAMES_SHOWN) + " more";
    }

    private static Resolution tooMany(int maxSecrets) {
        return new Resolution.Unresolvable(TOO_MANY_SECRETS, "the run's secret set would hold more than " + maxSecrets
                + " secrets (lifecycle.max-secrets-per-run); select fewer or raise the limit");
    }

    /**
     * Indexes one owner's secrets by name, keeping only those that really belong to that owner and scope: the
     * source is trusted to filter, but a run must never receive another workspace's or user's secret.
     */
    private static Map<String, Secret> byName(List<Secret> secrets, Scope scope, String ownerId) {
        Map<String, Secret> byName = new TreeMap<>();
        for (Secret secret : secrets) {
            if (belongsTo(secret, scope, ownerId)) {
                byName.put(secret.name(), secret);
            }
        }
        return byName;
    }

    private static boolean belongsTo(Secret secret, Scope scope, String ownerId) {
        return secret.scope() == scope && secret.ownerId().equals(ownerId) && SecretName.isValid(secret.name());
    }
}
