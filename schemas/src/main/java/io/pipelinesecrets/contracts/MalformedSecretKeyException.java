package io.pipelinesecrets.contracts;

/** A secrets-topic key that does not follow {@code workspace|user:<ownerId>:<NAME>}. Keys are not secret, so the message names the key. */
public final class MalformedSecretKeyException extends IllegalArgumentException {

    public MalformedSecretKeyException(String message) {
        super(message);
    }
}
