package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.lifecycle.run.AuditFact;

/**
 * Told what the topology writes, as it writes it, so that metrics can follow the audit trail without reading it
 * back from the topic. Called on the stream thread inside the Streams transaction: implementations must be quick
 * and must not throw. An aborted transaction is processed again, so what an observer counts is what was attempted,
 * which after a crash may exceed what was committed (audit consumers de-duplicate by event id; metrics do not).
 */
public interface LifecycleObserver {

    /** Observes nothing: for tests and tools that need no metrics. */
    LifecycleObserver NONE = new LifecycleObserver() {
    };

    /** An audit event was forwarded to the audit topic. */
    default void audited(AuditFact fact) {
    }

    /**
     * A record of {@code sourceTopic} was forwarded to the dead-letter topic.
     *
     * @param code the {@code dlq.error.code} header, e.g. {@code UNKNOWN_MAGIC_BYTE}
     */
    default void deadLettered(String sourceTopic, String code) {
    }
}
