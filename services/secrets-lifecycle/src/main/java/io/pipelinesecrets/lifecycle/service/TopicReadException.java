package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.contracts.PipelineSecretsException;

/** A topic could not be read to its end: it does not exist, Kafka did not answer in time, or a record is unreadable. */
public final class TopicReadException extends PipelineSecretsException {

    public TopicReadException(String message) {
        super(message);
    }

    public TopicReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
