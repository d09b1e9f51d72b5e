package io.pipelinesecrets.serde.registry.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import io.pipelinesecrets.serde.registry.http.ConfluentRegistryClient.Settings;
import org.apache.avro.Schema;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry (or whoever answers in its place) may return any schema text for an id. Avro's
 * {@link Schema.Parser} reads it inside {@link ConfluentRegistryClient#schemaById}, which must turn every failure
 * into {@link SchemaRegistryException.InvalidSchema}: nothing else may escape, no {@link StackOverflowError} from
 * deep nesting, no {@link OutOfMemoryError} from huge names.
 *
 * <p>Raw bytes rarely make a schema, so the input drives a small generator of schema JSON: nested arrays, maps,
 * unions and records (a few bytes can nest thousands of levels deep), named types, references to them, defaults,
 * names of up to 10,000 characters, and raw fragments where anything goes.
 */
class RegistrySchemaTextFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the registry answers to the next request: {@code {"schema": <the generated text>}}. */
    private static byte[] answer;
    private static final ConfluentRegistryClient CLIENT = new ConfluentRegistryClient(
            new Settings(List.of(URI.create("https://registry.invalid:8081")), Duration.ofSeconds(1),
                    Duration.ofSeconds(1), 1, Duration.ZERO),
            new ScriptedHttpClient(request -> new ScriptedHttpClient.Reply(200, answer)));
    /**
     * Long enough for anything quadratic in a name's length to show, short enough to fuzz fast: Jackson and Avro are
     * instrumented, so every character of the text costs coverage hooks.
     */
    private static final int MAX_NAME_LENGTH = 10_000;
    private static final int MAX_HUGE_NAME_CHARACTERS = 30_000;
    /** Just past Jackson's 1000 levels, where Avro's parser would have to recurse as deep. */
    private static final int MAX_WRAPPING = 1_200;
    private static final String[] PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    private static final String[] LOGICAL_TYPES = {"decimal", "uuid", "date", "time-millis", "timestamp-millis",
            "local-timestamp-micros", "duration"};

    @FuzzTest
    void shouldReadAnySchemaTextAsASchemaOrRefuseItAsInvalid(FuzzedDataProvider data) {
        answer = body(new SchemaText(data).schema(0));

        try {
            assertThat(CLIENT.schemaById(1)).isNotNull();
        } catch (SchemaRegistryException.InvalidSchema refused) {
            // the documented outcome for text that is not an Avro schema
        }
    }

    private static byte[] body(String schemaText) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schemaText)).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Schema JSON written as the input says; any well-formedness is the input's choice. */
    private static final class SchemaText {
        private final FuzzedDataProvider data;
        private final StringBuilder out = new StringBuilder();
        private int namedTypes;
        private int hugeNameCharactersLeft = MAX_HUGE_NAME_CHARACTERS;

        SchemaText(FuzzedDataProvider data) {
            this.data = data;
        }

        String schema(int depth) {
            writeSchema(depth);
            return out.toString();
        }

        private void writeSchema(int depth) {
            if (data.remainingBytes() == 0 || depth > 50) {
                out.append('"').append(data.pickValue(PRIMITIVES)).append('"');
                return;
            }
            switch (data.consumeInt(0, 9)) {
                case 0 -> out.append('"').append(data.pickValue(PRIMITIVES)).append('"');
                case 1 -> wrapped(depth);
                case 2 -> container("array", "items", depth);
                case 3 -> container("map", "values", depth);
                case 4 -> union(depth);
                case 5 -> record(depth);
                case 6 -> named("enum", "\"symbols\":[" + quoted(name()) + "," + quoted(name()) + "]");
                case 7 -> named("fixed", "\"size\":" + data.consumeInt(-1, Integer.MAX_VALUE));
                case 8 -> out.append(quoted(data.consumeBoolean() ? "T" + data.consumeInt(0, namedTypes) : name()));
                default -> out.append(data.consumeString(64));
            }
        }

        /** Thousands of levels from a few bytes: Jackson stops at 1000, Avro's parser recurses per level. */
        private void wrapped(int depth) {
            int levels = data.consumeInt(1, MAX_WRAPPING);
            String kind = data.pickValue(new String[] {"{\"type\":\"array\",\"items\":", "{\"type\":\"map\",\"values\":", "["});
            out.append(kind.repeat(levels));
            writeSchema(depth + 1);
            out.append((kind.startsWith("[") ? "]" : "}").repeat(levels));
        }

        private void container(String type, String field, int depth) {
            out.append("{\"type\":\"").append(type).append("\",\"").append(field).append("\":");
            writeSchema(depth + 1);
            logicalType();
            out.append('}');
        }

        private void union(int depth) {
            out.append('[');
            int branches = data.consumeInt(0, 4);
            for (int i = 0; i < branches; i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeSchema(depth + 1);
            }
            out.append(']');
        }

        private void record(int depth) {
            out.append("{\"type\":\"record\",\"name\":").append(quoted(typeName()));
            if (data.consumeBoolean()) {
                out.append(",\"namespace\":").append(quoted(name()));
            }
            out.append(",\"fields\":[");
            int fields = data.consumeInt(0, 3);
            for (int i = 0; i < fields; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append("{\"name\":").append(quoted(name())).append(",\"type\":");
                writeSchema(depth + 1);
                if (data.consumeBoolean()) {
                    out.append(",\"default\":").append(data.consumeString(32));
                }
                out.append('}');
            }
            out.append("]}");
        }

        private void named(String type, String rest) {
            out.append("{\"type\":\"").append(type).append("\",\"name\":").append(quoted(typeName())).append(',')
                    .append(rest);
            logicalType();
            out.append('}');
        }

        private void logicalType() {
            if (data.consumeBoolean()) {
                out.append(",\"logicalType\":\"").append(data.pickValue(LOGICAL_TYPES)).append("\",\"precision\":")
                        .append(data.consumeInt()).append(",\"scale\":").append(data.consumeInt());
            }
        }

        private String typeName() {
            return data.consumeBoolean() ? "T" + namedTypes++ : name();
        }

        /** Short names as the input spells them, or one character repeated up to {@value #MAX_NAME_LENGTH} times. */
        private String name() {
            if (data.consumeBoolean()) {
                return data.consumeString(16);
            }
            int length = Math.min(data.consumeInt(1, MAX_NAME_LENGTH), Math.max(1, hugeNameCharactersLeft));
            hugeNameCharactersLeft -= length;
            return String.valueOf(data.consumeChar()).repeat(length);
        }

        private static String quoted(String text) {
            try {
                return JSON.writeValueAsString(text);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
