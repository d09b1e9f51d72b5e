package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.lifecycle.secrets.Scope;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One audit event as the state machine decides it, before it is stamped with a time and written. Holds names,
 * references and codes — never a value.
 *
 * <p>The event id is derived from what caused the event, so reprocessing the same input (a replay, or a retry
 * after a crash under exactly-once) produces the same id and readers can de-duplicate. The attempt number takes
 * part only where one run legitimately has several such events (retries, release failures).
 */
public record AuditFact(
        AuditAction action,
        AuditOutcome outcome,
        String runId,
        String workspaceId,
        String userId,
        String computeEnvId,
        String secretName,
        Scope secretScope,
        Long secretVersion,
        Integer secretCount,
        List<String> secretNames,
        String backend,
        String backendRef,
        int attempt,
        String errorCode,
        String errorMessage,
        String causationEventId,
        Long durationMs,
        String reason) {

    public AuditFact {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        secretNames = secretNames == null ? List.of() : List.copyOf(secretNames);
    }

    public String eventId() {
        boolean repeatable = action == AuditAction.PROVISION_RETRY_SCHEDULED
                || action == AuditAction.RELEASE_RETRY_SCHEDULED
                || action == AuditAction.RELEASE_FAILED;
        String identity = String.join("|", String.valueOf(runId), action.name(), String.valueOf(causationEventId),
                String.valueOf(secretName), String.valueOf(reason), repeatable ? Integer.toString(attempt) : "");
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A fact about a run, with the run's identifying fields filled from its state. */
    public static Builder about(RunState run, AuditAction action, AuditOutcome outcome) {
        Builder builder = new Builder(action, outcome).run(run.runId());
        RunOrigin origin = run.origin();
        if (origin.target() != null) {
            builder.workspaceId = origin.target().workspaceId();
            builder.userId = origin.target().userId();
            builder.computeEnvId = origin.target().computeEnvId();
        }
        builder.backend = origin.backend();
        return builder;
    }

    public static Builder of(AuditAction action, AuditOutcome outcome) {
        return new Builder(action, outcome);
    }

    /** Keeps the state machine's audit code to the fields each event is about. */
    public static final class Builder {
        private final AuditAction action;
        private final AuditOutcome outcome;
        private String runId;
        private String workspaceId;
        private String userId;
        private String computeEnvId;
        private String secretName;
        private Scope secretScope;
        private Long secretVersion;
        private Integer secretCount;
        private List<String> secretNames;
        private String backend;
        private String backendRef;
        private int attempt;
        private String errorCode;
        private String errorMessage;
        private String causationEventId;
        private Long durationMs;
        private String reason;

        private Builder(AuditAction action, AuditOutcome outcome) {
            this.action = action;
            this.outcome = outcome;
        }

        public Builder run(String value) {
            runId = value;
            return this;
        }

        public Builder owners(String workspace, String user, String computeEnv) {
            workspaceId = workspace;
            userId = user;
            computeEnvId = computeEnv;
            return this;
        }

        public Builder secret(ManifestEntry entry) {
            secretName = entry.name();
            secretScope = entry.scope();
            secretVersion = entry.version();
            backendRef = entry.backendRef();
            return this;
        }

        public Builder scope(Scope value) {
            secretScope = value;
            return this;
        }

        public Builder secretName(String value) {
            secretName = value;
            return this;
        }

        public Builder summary(List<String> names) {
            secretCount = names.size();
            secretNames = names;
            return this;
        }

        public Builder backend(String value) {
            backend = value;
            return this;
        }

        public Builder backendRef(String value) {
            backendRef = value;
            return this;
        }

        public Builder attempt(int value) {
            attempt = value;
            return this;
        }

        public Builder error(String code, String message) {
            errorCode = code;
            errorMessage = message;
            return this;
        }

        public Builder cause(String eventId) {
            causationEventId = eventId;
            return this;
        }

        public Builder duration(Long value) {
            durationMs = value;
            return this;
        }

        public Builder reason(String value) {
            reason = value;
            return this;
        }

        public AuditFact build() {
            return new AuditFact(action, outcome, runId, workspaceId, userId, computeEnvId, secretName, secretScope,
                    secretVersion, secretCount, secretNames, backend, backendRef, attempt, errorCode, errorMessage,
                    causationEventId, durationMs, reason);
        }
    }
}
