package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pipelinesecrets.lifecycle.run.RunState;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * Run state as JSON in the state store and its changelog: readable with any consumer when debugging a run, and
 * the same form {@code /runs/{runId}} serves. It holds names and references only; a run state never has a value.
 * Unknown properties are ignored so that a newer version's state can be read during a rolling upgrade.
 */
public final class RunStateSerde implements Serde<RunState> {

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Override
    public Serializer<RunState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            try {
                return JSON.writeValueAsBytes(state);
            } catch (IOException e) {
                throw new SerializationException("cannot write the state of run " + state.runId(), e);
            }
        };
    }

    @Override
    public Deserializer<RunState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return JSON.readValue(bytes, RunState.class);
            } catch (IOException e) {
                throw new SerializationException("cannot read a run state from " + topic + ": " + e.getClass().getSimpleName(), e);
            }
        };
    }

    /** The state as served over HTTP. */
    public static String toJson(RunState state) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the state of run " + state.runId(), e);
        }
    }
}
