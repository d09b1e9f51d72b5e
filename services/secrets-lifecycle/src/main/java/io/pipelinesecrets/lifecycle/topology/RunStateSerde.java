package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.lifecycle.run.RunState;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * Run state as JSON in the state store and its changelog ({@link RunStateDocument}): readable with any consumer
 * when debugging a run, and the same form {@code /runs/{runId}} serves. It holds names and references only; a run
 * state never has a value.
 *
 * <p>Versioning: a document carries {@code formatVersion}; the states written before it existed have none and are
 * format 1. Properties this reader does not know are ignored, so a newer version may add some within a format
 * during a rolling upgrade. A document of a format newer than {@link #FORMAT_VERSION} is refused with an
 * {@link UnsupportedRunStateFormatException} rather than read into a wrong state: inside the Streams task that
 * fails the stream thread (replaced, failing again, logged each time) and the partition's runs wait untouched
 * until the instance runs a version that reads the format.
 */
public final class RunStateSerde implements Serde<RunState> {

    /** The format this version writes and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    static final String FORMAT_VERSION_PROPERTY = "formatVersion";

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A stored run state in a format this version of the service does not know. */
    public static final class UnsupportedRunStateFormatException extends SerializationException {
        UnsupportedRunStateFormatException(String message) {
            super(message);
        }
    }

    @Override
    public Serializer<RunState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            try {
                return JSON.writeValueAsBytes(RunStateDocument.of(state));
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
            JsonNode tree;
            try {
                tree = JSON.readTree(bytes);
            } catch (IOException e) {
                throw unreadable(topic, e);
            }
            if (tree == null || !tree.isObject()) {
                throw new SerializationException("cannot read a run state from " + topic + ": not a JSON object");
            }
            // Checked before mapping: a newer format may not even map, and must not be mistaken for garbage.
            requireKnownFormat(topic, tree);
            try {
                return JSON.treeToValue(tree, RunStateDocument.class).toState();
            } catch (IOException | RuntimeException e) {
                throw unreadable(topic, e);
            }
        };
    }

    /** The state as served over HTTP and printed by {@code runs show}: the stored document. */
    public static String toJson(RunState state) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(RunStateDocument.of(state));
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the state of run " + state.runId(), e);
        }
    }

    private static void requireKnownFormat(String topic, JsonNode tree) {
        JsonNode version = tree.get(FORMAT_VERSION_PROPERTY);
        if (version == null || version.isNull()) {
            return;
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() < 1) {
            throw new SerializationException("cannot read a run state from " + topic + ": " + FORMAT_VERSION_PROPERTY
                    + " is not a positive whole number");
        }
        if (version.intValue() > FORMAT_VERSION) {
            JsonNode runId = tree.get("runId");
            throw new UnsupportedRunStateFormatException("the state of run "
                    + (runId != null && runId.isTextual() ? SafeText.quoted(runId.asText()) : "(unknown)") + " in " + topic
                    + " is stored in run-state format " + version.intValue() + ", but this version of the service"
                    + " reads formats up to " + FORMAT_VERSION + ": a newer version wrote it; run that version (or"
                    + " newer) on every instance instead of reading the run wrong");
        }
    }

    private static SerializationException unreadable(String topic, Exception cause) {
        return new SerializationException("cannot read a run state from " + topic + ": " + cause.getClass().getSimpleName(), cause);
    }
}
