package io.pipelinesecrets.lifecycle.backend.google;

import com.google.cloud.secretmanager.v1.Secret;
import io.pipelinesecrets.lifecycle.port.Deployment;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.secrets.Scope;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a secret says whose it is: labels {@code managed-by} (the instance id), {@code run-id}, {@code workspace-id},
 * {@code user-id}, {@code scope} and {@code deployment}, each value in the form Google's label rules allow
 * ({@link GoogleLabels}), and the run id as it is in the {@code run-id} annotation, for a run id the label can hold
 * only as a hash.
 *
 * @param deployment the deployment mark, or null where none is known (tools and tests without Kafka)
 */
record GoogleOwnership(String instanceId, Deployment deployment) {

    static final String MANAGED_BY = "managed-by";
    static final String RUN_ID = "run-id";
    static final String WORKSPACE_ID = "workspace-id";
    static final String USER_ID = "user-id";
    static final String SCOPE = "scope";
    static final String DEPLOYMENT = "deployment";
    /** Annotations take any text: the run id as it is, for a reconciler that finds only its hash in the label. */
    static final String RUN_ID_ANNOTATION = "run-id";

    GoogleOwnership {
        Objects.requireNonNull(instanceId, "instanceId");
    }

    Map<String, String> labels(RunTarget run, String scope) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, instanceId);
        labels.put(RUN_ID, GoogleLabels.encode(run.runId()));
        labels.put(WORKSPACE_ID, GoogleLabels.encode(nullToEmpty(run.workspaceId())));
        labels.put(USER_ID, GoogleLabels.encode(nullToEmpty(run.userId())));
        labels.put(SCOPE, scope);
        if (deployment != null) {
            labels.put(DEPLOYMENT, deployment.mark());
        }
        return labels;
    }

    static Map<String, String> annotations(RunTarget run) {
        return Map.of(RUN_ID_ANNOTATION, run.runId());
    }

    /** The ListSecrets filter of this instance's and deployment's secrets. */
    String listFilter() {
        return "labels." + MANAGED_BY + "=" + instanceId
                + (deployment == null ? "" : " AND labels." + DEPLOYMENT + "=" + deployment.mark());
    }

    /**
     * Whether a secret is this deployment's for the run. Another deployment's never is; one labelled without a
     * deployment mark (a tool without Kafka wrote it) is, unless {@code exactly} (the reconciler).
     */
    boolean holds(Secret secret, String runId, boolean exactly) {
        Map<String, String> labels = secret.getLabelsMap();
        String marked = labels.get(DEPLOYMENT);
        String expected = deployment == null ? null : deployment.mark();
        boolean sameDeployment = Objects.equals(marked, expected) || (!exactly && marked == null);
        return instanceId.equals(labels.get(MANAGED_BY)) && GoogleLabels.holds(labels.get(RUN_ID), runId) && sameDeployment;
    }

    /**
     * The run a listed secret says it belongs to: its label decoded, or, when the label holds a hash, the run id
     * annotation that the hash matches.
     */
    static Optional<String> runIdOf(Secret secret) {
        String label = secret.getLabelsMap().get(RUN_ID);
        if (label == null) {
            return Optional.empty();
        }
        return GoogleLabels.decode(label).or(() -> Optional.ofNullable(secret.getAnnotationsMap().get(RUN_ID_ANNOTATION))
                .filter(runId -> GoogleLabels.holds(label, runId)));
    }

    static String scopeOf(Scope scope) {
        return scope == Scope.USER ? "user" : "workspace";
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
