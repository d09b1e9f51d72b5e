package io.pipelinesecrets.contracts;

/**
 * The root of the service's own failures: an expected problem (bad configuration, a service that cannot start, a
 * topic that cannot be read, a refused or unreachable schema registry, an operator command that cannot do its work)
 * whose message says what happened and what to do. The CLI prints such a message alone, without a stack trace,
 * and exits 1; anything else is a bug and keeps its full report.
 *
 * <p>Unchecked, as every exception of the service: callers that can act on one kind catch that kind. A message
 * names keys, topics, subjects, ids and hosts; never a secret value or a credential.
 *
 * <p>It lives with the contracts because every module sees this one, and the core (which may use only the JDK and
 * the contracts) can throw its subclasses too.
 */
public abstract class PipelineSecretsException extends RuntimeException {

    protected PipelineSecretsException(String message) {
        super(message);
    }

    protected PipelineSecretsException(String message, Throwable cause) {
        super(message, cause);
    }
}
