package io.pipelinesecrets.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Root of the serde's failures. It is a Kafka {@link SerializationException}, so clients and Kafka Streams treat
 * it as a (de)serialization failure. Messages never include record bytes or field values: a secret value may be
 * among them.
 */
public abstract class SerdeException extends SerializationException {

    protected SerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
