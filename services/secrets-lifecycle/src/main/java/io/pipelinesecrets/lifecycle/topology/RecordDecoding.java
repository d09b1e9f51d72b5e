package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.serde.SchemaResolutionException;
import io.pipelinesecrets.serde.UndecodableRecordException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a record's value so that nothing a producer can put in the bytes reaches the stream thread as anything
 * but an {@link UndecodableRecordException}: a thread that dies on a record is replaced, reads the same record and
 * dies again, and every partition of the thread stops. Only a registry that cannot answer propagates, because that
 * is not the record's fault and passes.
 */
final class RecordDecoding {

    private RecordDecoding() {
    }

    /** @param headers the record's headers, or null where none are kept (the global store holds values only) */
    static <T> T decode(Deserializer<T> deserializer, String topic, Headers headers, byte[] value) {
        try {
            return headers == null ? deserializer.deserialize(topic, value) : deserializer.deserialize(topic, headers, value);
        } catch (UndecodableRecordException | SchemaResolutionException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // The class only: a decoder's message may quote the bytes it failed on.
            throw new UndecodableRecordException(UndecodableRecordException.Reason.DECODER_FAILURE, topic, null,
                    e.getClass().getSimpleName(), null);
        }
    }
}
