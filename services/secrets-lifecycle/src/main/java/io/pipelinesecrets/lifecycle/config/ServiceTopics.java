package io.pipelinesecrets.lifecycle.config;

import java.util.List;
import java.util.Objects;

/** The topic names of docs/design.md §3; every one is configurable, these are the defaults. */
public record ServiceTopics(String launched, String completed, String secrets, String audit, String deadLetters) {

    public static final ServiceTopics DEFAULTS = new ServiceTopics(
            "platform.workflow.launched", "platform.workflow.completed", "platform.secrets",
            "secrets-lifecycle.audit", "secrets-lifecycle.dlq");

    public ServiceTopics {
        Objects.requireNonNull(launched, "launched");
        Objects.requireNonNull(completed, "completed");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** The same names with a prefix, so tests sharing one cluster never see each other's topics. */
    public ServiceTopics prefixed(String prefix) {
        return new ServiceTopics(prefix + launched, prefix + completed, prefix + secrets, prefix + audit,
                prefix + deadLetters);
    }

    public List<String> all() {
        return List.of(launched, completed, secrets, audit, deadLetters);
    }
}
