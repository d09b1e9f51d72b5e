package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.secrets.Scope;

import java.time.Instant;

/** Turns the core's audit facts into the {@code AuditEvent} contract, stamped with the time they are written. */
public final class AuditEvents {

    /** Characters of an error message an audit event keeps: a sentence for a dashboard, not a document. */
    static final int MAX_ERROR_MESSAGE_CHARS = 2_048;

    private AuditEvents() {
    }

    private static String bounded(String message) {
        return message == null || message.length() <= MAX_ERROR_MESSAGE_CHARS ? message
                : message.substring(0, MAX_ERROR_MESSAGE_CHARS) + "...";
    }

    public static AuditEvent toEvent(AuditFact fact, Instant occurredAt) {
        return AuditEvent.newBuilder()
                .setEventId(fact.eventId())
                .setOccurredAt(occurredAt)
                .setRunId(fact.runId())
                .setWorkspaceId(fact.workspaceId())
                .setUserId(fact.userId())
                .setComputeEnvId(fact.computeEnvId())
                .setAction(fact.action())
                .setOutcome(fact.outcome())
                .setSecretName(fact.secretName())
                .setSecretScope(fact.secretScope() == null ? null
                        : fact.secretScope() == Scope.USER ? SecretScope.USER : SecretScope.WORKSPACE)
                .setSecretVersion(fact.secretVersion())
                .setSecretCount(fact.secretCount())
                .setSecretNames(fact.secretNames())
                .setBackend(fact.backend())
                .setBackendRef(fact.backendRef())
                .setAttempt(fact.attempt())
                .setErrorCode(fact.errorCode())
                .setErrorMessage(bounded(fact.errorMessage()))
                .setCausationEventId(fact.causationEventId())
                .setDurationMs(fact.durationMs())
                .setReason(fact.reason())
                .build();
    }
}
