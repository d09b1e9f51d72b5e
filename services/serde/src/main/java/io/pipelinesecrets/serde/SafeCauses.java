package io.pipelinesecrets.serde;

/**
 * Describes a failure of Avro without its message. Avro's encoders and decoders may put a field's content in an
 * exception message ("value X is not a ..."); a secret value must never reach a log that way, so only the type
 * of the failure travels, and the original is not chained.
 */
final class SafeCauses {

    private SafeCauses() {
    }

    static String describe(Throwable failure) {
        return failure.getClass().getSimpleName();
    }
}
