package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.contracts.SecretName;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes a run's merged secret set (DESIGN.md section 1): every secret of the run's workspace plus every
 * secret of the launching user, the user's winning on a name clash. With a selection, only the selected names,
 * and a selected name that does not exist makes the run unresolvable — a missing secret is an error the user must
 * see, not something to skip silently.
 */
public final class SecretSetResolver {

    public static final String SECRET_NOT_FOUND = "SECRET_NOT_FOUND";
    public static final String INVALID_SELECTION = "INVALID_SELECTION";

    private SecretSetResolver() {
    }

    public static Resolution resolve(String workspaceId, String userId, Selection selection, SecretSource source) {
        Map<String, Secret> workspace = byName(source.secretsOf(Scope.WORKSPACE, workspaceId), Scope.WORKSPACE, workspaceId);
        Map<String, Secret> user = byName(source.secretsOf(Scope.USER, userId), Scope.USER, userId);
        if (selection == null) {
            Map<String, Secret> merged = new TreeMap<>(workspace);
            merged.putAll(user);
            return new Resolution.Resolved(List.copyOf(merged.values()));
        }
        return resolveSelection(selection, workspace, user);
    }

    private static Resolution resolveSelection(Selection selection, Map<String, Secret> workspace, Map<String, Secret> user) {
        List<String> invalid = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, Secret> merged = new TreeMap<>();
        for (String name : selection.workspaceSecrets()) {
            pick(name, "workspace", workspace, merged, invalid, missing);
        }
        for (String name : selection.userSecrets()) {
            pick(name, "user", user, merged, invalid, missing);
        }
        if (!invalid.isEmpty()) {
            return new Resolution.Unresolvable(INVALID_SELECTION, "selected secret names are not valid: " + invalid);
        }
        if (!missing.isEmpty()) {
            return new Resolution.Unresolvable(SECRET_NOT_FOUND, "selected secrets do not exist: " + missing);
        }
        return new Resolution.Resolved(List.copyOf(merged.values()));
    }

    /** User secrets are picked after workspace ones, so a user secret selected under a clashing name wins. */
    private static void pick(String name, String scopeLabel, Map<String, Secret> available, Map<String, Secret> merged,
                             List<String> invalid, List<String> missing) {
        if (!SecretName.isValid(name)) {
            invalid.add(scopeLabel + ":" + name);
            return;
        }
        Secret secret = available.get(name);
        if (secret == null) {
            missing.add(scopeLabel + ":" + name);
        } else {
            merged.put(name, secret);
        }
    }

    /**
     * Indexes one owner's secrets by name, keeping only those that really belong to that owner and scope: the
     * source is trusted to filter, but a run must never receive another workspace's or user's secret.
     */
    private static Map<String, Secret> byName(List<Secret> secrets, Scope scope, String ownerId) {
        Map<String, Secret> byName = new TreeMap<>();
        for (Secret secret : secrets) {
            if (secret.scope() == scope && secret.ownerId().equals(ownerId) && SecretName.isValid(secret.name())) {
                byName.put(secret.name(), secret);
            }
        }
        return byName;
    }
}
