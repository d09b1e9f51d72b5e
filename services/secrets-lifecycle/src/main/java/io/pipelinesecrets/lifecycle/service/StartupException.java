package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.contracts.PipelineSecretsException;

/** The service cannot start as configured; the message says what is wrong and how to fix it. */
public final class StartupException extends PipelineSecretsException {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
