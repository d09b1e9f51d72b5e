package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.contracts.PipelineSecretsException;

/** An operator command could not do its work; the message says what happened and what to do. Exit code 1. */
final class CommandFailure extends PipelineSecretsException {

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
