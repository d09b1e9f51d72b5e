package io.pipelinesecrets.serde.registry.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipelinesecrets.serde.registry.RegisteredSchema;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import io.pipelinesecrets.serde.registry.http.ConfluentRegistryClient.Settings;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a registry answers (any status, any body, failures in between), each {@link ConfluentRegistryClient}
 * call returns or raises a {@link SchemaRegistryException}: no Jackson, Avro or JDK exception escapes.
 *
 * <p>The input is a conversation, readable as text: byte 0 picks the call, byte 1 the client (1 to 3 attempts, with
 * or without credentials), then the registry's replies in order, separated by {@code 0x1E}. A reply is a
 * three-digit status followed by the body; a reply not starting with three digits, and any request after the last
 * reply, is a connection failure.
 */
class ConfluentRegistryClientFuzzTest {

    private static final String SUBJECT = "platform.workflow.launched-value";
    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").endRecord();
    private static final byte REPLY_SEPARATOR = 0x1E;
    /** One URL: the client starts each call with the URL that last answered, and inputs must not depend on history. */
    private static final List<URI> URL = List.of(URI.create("https://registry.invalid:8081/apis/ccompat/v7"));
    private static final Replies REPLIES = new Replies();
    /** Built once (a client's ObjectMapper is costly to warm up): by attempts (1 to 3), without and with credentials. */
    private static final List<ConfluentRegistryClient> CLIENTS = Stream.of(1, 2, 3)
            .flatMap(attempts -> Stream.of(RegistryAuthentication.NONE, new RegistryAuthentication.Bearer("token"))
                    .map(authentication -> new ConfluentRegistryClient(new Settings(URL, Duration.ofSeconds(1),
                            Duration.ofSeconds(1), attempts, Duration.ZERO, authentication, null),
                            new ScriptedHttpClient(REPLIES))))
            .toList();

    private static final List<Consumer<ConfluentRegistryClient>> CALLS = List.of(
            client -> assertThat(client.register(SUBJECT, SCHEMA)).extracting(RegisteredSchema::subject).isEqualTo(SUBJECT),
            client -> assertThat(client.lookup(SUBJECT, SCHEMA)).extracting(RegisteredSchema::subject).isEqualTo(SUBJECT),
            client -> assertThat(client.schemaById(7)).isNotNull(),
            client -> client.isCompatible(SUBJECT, SCHEMA),
            client -> assertThat(client.compatibilityLevel(Optional.empty())).isNotBlank(),
            client -> assertThat(client.compatibilityLevel(Optional.of(SUBJECT))).isNotBlank(),
            client -> client.setCompatibilityLevel(Optional.of(SUBJECT), "BACKWARD"),
            client -> client.setCompatibilityLevel(Optional.empty(), "FULL"));

    static Stream<byte[]> conversations() {
        return Stream.of(
                conversation(0, 0, "200{\"id\":7}", "200{\"subject\":\"s\",\"id\":7,\"version\":1,\"schema\":\"\\\"string\\\"\"}"),
                conversation(1, 0, "404{\"error_code\":40403,\"message\":\"Schema not found\"}"),
                conversation(2, 0, "200{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[]}\"}"),
                conversation(2, 0, "200{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"),
                conversation(3, 0, "200{\"is_compatible\":true}"),
                conversation(5, 0, "404{\"error_code\":40401,\"message\":\"Subject not found\"}",
                        "200{\"compatibilityLevel\":\"BACKWARD\"}"),
                conversation(6, 0, "400Unknown compatibility level"),
                conversation(0, 0, "409{\"error_code\":409,\"message\":\"io.apicurio.registry.rules.RuleViolationException: no\"}"),
                conversation(2, 2, "503<html>busy</html>", "reset", "200{\"schema\":\"\\\"long\\\"\"}"),
                conversation(4, 3, "401{\"error_code\":40101,\"message\":\"Unauthorized\"}"));
    }

    @MethodSource("conversations")
    @FuzzTest
    void shouldRaiseOnlySchemaRegistryExceptionsWhateverTheRegistryAnswers(byte[] input) {
        int call = input.length > 0 ? Byte.toUnsignedInt(input[0]) % CALLS.size() : 0;
        ConfluentRegistryClient client = CLIENTS.get(input.length > 1 ? Byte.toUnsignedInt(input[1]) % CLIENTS.size() : 0);
        REPLIES.play(input.length > 2 ? Arrays.copyOfRange(input, 2, input.length) : new byte[0]);

        try {
            CALLS.get(call).accept(client);
        } catch (SchemaRegistryException refusedOrUnavailable) {
            // the documented outcome for an answer the client cannot use
        }
    }

    /** The registry's replies, read off the input one request at a time. */
    private static final class Replies implements ScriptedHttpClient.Script {
        private byte[] script = new byte[0];
        private int next;

        void play(byte[] replies) {
            script = replies;
            next = 0;
        }

        @Override
        public ScriptedHttpClient.Reply answer(HttpRequest request) throws ConnectException {
            if (next > script.length) {
                throw new ConnectException("no more replies in the script");
            }
            int end = next;
            while (end < script.length && script[end] != REPLY_SEPARATOR) {
                end++;
            }
            byte[] reply = Arrays.copyOfRange(script, next, end);
            next = end + 1;
            if (reply.length < 3 || !isDigit(reply[0]) || !isDigit(reply[1]) || !isDigit(reply[2])) {
                throw new ConnectException("scripted connection failure");
            }
            int status = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
            return new ScriptedHttpClient.Reply(status, Arrays.copyOfRange(reply, 3, reply.length));
        }

        private static boolean isDigit(byte b) {
            return b >= '0' && b <= '9';
        }
    }

    private static byte[] conversation(int call, int client, String... replies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(call);
        out.write(client);
        for (int i = 0; i < replies.length; i++) {
            if (i > 0) {
                out.write(REPLY_SEPARATOR);
            }
            out.writeBytes(replies[i].getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
