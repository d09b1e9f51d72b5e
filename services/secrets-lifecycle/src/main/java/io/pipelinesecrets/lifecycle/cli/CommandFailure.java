package io.pipelinesecrets.lifecycle.cli;

/** An operator command could not do its work; the message says what happened and what to do. Exit code 1. */
final class CommandFailure extends RuntimeException {

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
