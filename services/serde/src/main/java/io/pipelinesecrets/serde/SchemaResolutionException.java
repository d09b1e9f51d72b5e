package io.pipelinesecrets.serde;

/**
 * The schema registry could not answer (down, unauthorised, misconfigured) or does not hold a schema this
 * service must write. Not the record's fault: retrying later, or fixing configuration, helps. Never route the
 * record to a dead-letter queue for this.
 */
public final class SchemaResolutionException extends SerdeException {

    public SchemaResolutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
