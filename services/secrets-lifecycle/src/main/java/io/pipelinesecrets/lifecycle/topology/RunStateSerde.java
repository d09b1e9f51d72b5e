package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.lifecycle.run.RunState;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.time.Instant;

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
            .registerModule(new SimpleModule("fast-instants").addDeserializer(Instant.class, new FastInstantDeserializer()))
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
            // Checked before mapping: a newer format may not even map, and must not be mistaken for garbage. A token
            // pass over the top level, not a tree: every store read comes here, and building a tree first cost as
            // much again as mapping (BENCHMARKS.md, "Where the time goes").
            requireKnownFormat(topic, bytes);
            try {
                return JSON.readValue(bytes, RunStateDocument.class).toState();
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

    private static void requireKnownFormat(String topic, byte[] bytes) {
        FormatVersion found;
        try {
            found = FormatVersion.scan(bytes);
        } catch (IOException e) {
            throw unreadable(topic, e);
        }
        if (!found.isObject()) {
            throw new SerializationException("cannot read a run state from " + topic + ": not a JSON object");
        }
        if (found.version() == null) {
            return;
        }
        if (!found.version().isIntegralNumber() || !found.version().canConvertToInt() || found.version().intValue() < 1) {
            throw new SerializationException("cannot read a run state from " + topic + ": " + FORMAT_VERSION_PROPERTY
                    + " is not a positive whole number");
        }
        if (found.version().intValue() > FORMAT_VERSION) {
            throw new UnsupportedRunStateFormatException("the state of run "
                    + (found.runId() != null ? SafeText.quoted(found.runId()) : "(unknown)") + " in " + topic
                    + " is stored in run-state format " + found.version().intValue() + ", but this version of the service"
                    + " reads formats up to " + FORMAT_VERSION + ": a newer version wrote it; run that version (or"
                    + " newer) on every instance instead of reading the run wrong");
        }
    }

    /**
     * The top-level {@code formatVersion} and {@code runId} of a document, read token by token without building it:
     * nested objects and arrays are skipped. The last occurrence of a property counts, as in a tree.
     *
     * @param version null when absent or JSON null
     */
    private record FormatVersion(boolean isObject, JsonNode version, String runId) {

        static FormatVersion scan(byte[] bytes) throws IOException {
            try (JsonParser parser = JSON.getFactory().createParser(bytes)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return new FormatVersion(false, null, null);
                }
                JsonNode version = null;
                String runId = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (FORMAT_VERSION_PROPERTY.equals(name)) {
                        JsonNode read = JSON.readTree(parser);
                        version = read == null || read.isNull() ? null : read;
                    } else if ("runId".equals(name) && value == JsonToken.VALUE_STRING) {
                        runId = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
                return new FormatVersion(true, version, runId);
            }
        }
    }

    private static SerializationException unreadable(String topic, Exception cause) {
        return new SerializationException("cannot read a run state from " + topic + ": " + cause.getClass().getSimpleName(), cause);
    }
}
