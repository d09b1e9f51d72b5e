package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.serde.SpecificAvroSerde;
import io.pipelinesecrets.serde.registry.CachingSchemaRegistry;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.RegisteredSchema;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import io.pipelinesecrets.serde.registry.http.RegistryStub.Reply;
import io.pipelinesecrets.testing.events.Events;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfluentRegistryClientTest {

    private static final Schema V1 = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").endRecord();
    /** V1 plus an optional field: BACKWARD compatible. */
    private static final Schema V2 = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").optionalString("note").endRecord();
    /** V1 plus a required field without a default: not BACKWARD compatible. */
    private static final Schema INCOMPATIBLE = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").requiredLong("sizeWithoutDefault").endRecord();

    private InMemorySchemaRegistry registry;
    private ConfluentRegistryServer server;
    private final List<AutoCloseable> stubs = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        registry = new InMemorySchemaRegistry();
        server = new ConfluentRegistryServer(registry, new InetSocketAddress("127.0.0.1", 0)).start();
    }

    @AfterEach
    void stopServers() throws Exception {
        server.close();
        for (AutoCloseable stub : stubs) {
            stub.close();
        }
    }

    // ------------------------------------------------------------------------------------- against the real server

    @Test
    void shouldRegisterAndGetTheSameIdAndVersionWhenRegisteringAgain() {
        ConfluentRegistryClient client = client(server.url());

        RegisteredSchema first = client.register("things-value", V1);
        RegisteredSchema again = client.register("things-value", V1);

        assertThat(first.id()).isPositive().isEqualTo(registry.lookup("things-value", V1).id());
        assertThat(first).isEqualTo(new RegisteredSchema("things-value", first.id(), 1, V1)).isEqualTo(again);
        assertThat(registry.versions("things-value")).containsExactly(1);
    }

    @Test
    void shouldRegisterACompatibleEvolutionAsTheNextVersion() {
        ConfluentRegistryClient client = client(server.url());
        client.register("things-value", V1);

        RegisteredSchema second = client.register("things-value", V2);

        assertThat(second.version()).isEqualTo(2);
        assertThat(second.id()).isEqualTo(registry.latest("things-value").id());
    }

    @Test
    void shouldLookUpARegisteredSchema() {
        int id = registry.register("things-value", V1).id();

        assertThat(client(server.url()).lookup("things-value", V1))
                .isEqualTo(new RegisteredSchema("things-value", id, 1, V1));
    }

    @Test
    void shouldFetchTheRegisteredSchemaById() {
        ConfluentRegistryClient client = client(server.url());
        int id = client.register("things-value", V2).id();

        Schema fetched = client.schemaById(id);

        assertThat(fetched).isEqualTo(V2);
        assertThat(fetched.getFullName()).isEqualTo("io.example.Thing");
    }

    @Test
    void shouldReportAnUnknownSubjectAsSubjectNotFound() {
        assertThatThrownBy(() -> client(server.url()).lookup("nothing-value", V1))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class)
                .hasMessageContaining("nothing-value")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40401));
    }

    @Test
    void shouldReportASchemaTheSubjectDoesNotHoldAsSchemaNotFound() {
        registry.register("things-value", V1);

        assertThatThrownBy(() -> client(server.url()).lookup("things-value", V2))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class)
                .hasMessageContaining("things-value").hasMessageContaining("io.example.Thing")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
    }

    @Test
    void shouldReportAnUnknownIdAsSchemaNotFound() {
        assertThatThrownBy(() -> client(server.url()).schemaById(999))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class)
                .hasMessageContaining("999");
    }

    @Test
    void shouldReportAnIncompatibleSchemaWithTheRegistrysReason() {
        ConfluentRegistryClient client = client(server.url());
        client.register("things-value", V1);

        assertThatThrownBy(() -> client.register("things-value", INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class)
                .hasMessageContaining("things-value")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(registry.versions("things-value")).containsExactly(1);
    }

    @Test
    void shouldEncodeSubjectsAsPathSegments() {
        String subject = "team a/things+value é";
        ConfluentRegistryClient client = client(server.url());

        RegisteredSchema registered = client.register(subject, V1);

        assertThat(registry.subjects()).containsExactly(subject);
        assertThat(client.lookup(subject, V1)).isEqualTo(registered);
    }

    @Test
    void shouldRoundTripAnEventThroughTheSerdeWithIdsTheInProcessRegistryAgreesOn() {
        String topic = "platform.workflow.launched";
        WorkflowLaunched event = Events.launched("run-1").build();
        SpecificAvroSerde<WorkflowLaunched> producer = new SpecificAvroSerde<>(
                new CachingSchemaRegistry(client(server.url())), WorkflowLaunched.class, true);
        SpecificAvroSerde<WorkflowLaunched> consumer = new SpecificAvroSerde<>(
                new CachingSchemaRegistry(client(server.url())), WorkflowLaunched.class, false);

        byte[] bytes = producer.serializer().serialize(topic, event);

        int inProcessId = registry.lookup(topic + "-value", EventSchemas.registryForm(WorkflowLaunched.getClassSchema())).id();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(inProcessId);
        assertThat(consumer.deserializer().deserialize(topic, bytes)).isEqualTo(event);
        assertThat(new SpecificAvroSerde<>(registry, WorkflowLaunched.class, false).deserializer().deserialize(topic, bytes))
                .isEqualTo(event);
        assertThat(consumer.serializer().serialize(topic, event)).isEqualTo(bytes);
    }

    @Test
    void shouldBeUsableFromManyThreadsAtOnce() throws Exception {
        ConfluentRegistryClient client = client(server.url());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = Collections.nCopies(32, () -> client.register("things-value", V1).id());
            List<Integer> ids = new ArrayList<>();
            for (Future<Integer> id : pool.invokeAll(calls)) {
                ids.add(id.get());
            }
            assertThat(ids).hasSize(32).containsOnly(registry.lookup("things-value", V1).id());
        } finally {
            pool.shutdownNow();
        }
    }

    // --------------------------------------------------------------------------------------- requests and refusals

    @Test
    void shouldSendConfluentsContentTypeToPathsUnderTheBaseUrlsPath() throws IOException {
        RegistryStub stub = stub(n -> new Reply(200, "{\"schema\": " + quoted(V1.toString()) + "}"));

        assertThat(client(stub.url() + "/apis/ccompat/v7/").schemaById(7)).isEqualTo(V1);
        client(stub.url() + "/apis/ccompat/v7").schemaById(7);

        assertThat(stub.requests).containsExactly("GET /apis/ccompat/v7/schemas/ids/7", "GET /apis/ccompat/v7/schemas/ids/7");
        assertThat(stub.accept).containsOnly(ConfluentRegistryClient.CONTENT_TYPE);
    }

    @Test
    void shouldReportOtherRefusalsWithCodeMethodPathAndStatusButNotTheRequestBody() throws IOException {
        Schema marked = SchemaBuilder.record("Marked").fields().requiredString("secretMarker7f3a").endRecord();
        RegistryStub stub = stub(n -> new Reply(422, "{\"error_code\": 42201, \"message\": \"Invalid schema\"}"));

        SchemaRegistryException failure = catchThrowableOfType(SchemaRegistryException.class,
                () -> client(stub.url()).register("things-value", marked));

        assertThat(failure.errorCode()).isEqualTo(42201);
        assertThat(failure).hasMessageContaining("POST /subjects/things-value/versions").hasMessageContaining("422")
                .hasMessageContaining("Invalid schema").hasMessageNotContaining("secretMarker7f3a");
        assertThat(stub.requests).hasSize(1);
        assertThat(stub.contentTypes).containsExactly(ConfluentRegistryClient.CONTENT_TYPE);
    }

    @Test
    void shouldRefuseAnAnswerLargerThanAnyRegistrysWithoutReadingItWhole() throws IOException {
        String huge = "{\"schema\": \"" + "x".repeat(RegistryTransport.MAX_ANSWER_BYTES) + "\"}";
        RegistryStub stub = stub(n -> new Reply(200, huge));

        SchemaRegistryException failure = catchThrowableOfType(SchemaRegistryException.class,
                () -> client(stub.url()).schemaById(1));

        assertThat(failure).isNotNull().hasMessageContaining("larger than " + RegistryTransport.MAX_ANSWER_BYTES);
    }

    @Test
    void shouldUseTheStatusAsCodeWhenTheRefusalIsNotConfluentJsonAndNotRetryIt() throws IOException {
        RegistryStub stub = stub(n -> new Reply(401, "<html>login required</html>"));

        SchemaRegistryException failure = catchThrowableOfType(SchemaRegistryException.class,
                () -> client(stub.url()).schemaById(1));

        assertThat(failure.errorCode()).isEqualTo(401);
        assertThat(failure).hasMessageContaining("GET /schemas/ids/1").hasMessageNotContaining("html");
        assertThat(stub.requests).hasSize(1);
    }

    @Test
    void shouldMapConfluentsErrorCodesToTypedExceptionsNamingTheSubjectOrId() throws IOException {
        RegistryStub stub = stub(n -> switch (n) {
            case 1 -> new Reply(404, "{\"error_code\": 40401, \"message\": \"Subject 'x' not found.\"}");
            case 2 -> new Reply(404, "{\"error_code\": 40402, \"message\": \"Version not found.\"}");
            case 3 -> new Reply(404, "{\"error_code\": 40403, \"message\": \"Schema not found\"}");
            case 4 -> new Reply(409, "{\"error_code\": 409, \"message\": \"Schema being registered is incompatible\"}");
            case 5 -> new Reply(422, "{\"error_code\": 42201, \"message\": \"Invalid schema\"}");
            default -> new Reply(422, "{\"error_code\": 42203, \"message\": \"Invalid compatibility level\"}");
        });
        ConfluentRegistryClient client = client(stub.url());

        assertThatThrownBy(() -> client.lookup("a-value", V1)).isInstanceOf(SchemaRegistryException.SubjectNotFound.class)
                .hasMessageContaining("a-value");
        // 40402 from a check against "latest" means the subject has no versions (Apicurio's answer; Confluent's is 40401).
        assertThatThrownBy(() -> client.isCompatible("b-value", V1))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class).hasMessageContaining("b-value");
        assertThatThrownBy(() -> client.schemaById(77)).isInstanceOf(SchemaRegistryException.SchemaNotFound.class)
                .hasMessageContaining("77");
        assertThatThrownBy(() -> client.register("c-value", V1))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class)
                .hasMessageContaining("c-value").hasMessageContaining("Schema being registered is incompatible");
        assertThatThrownBy(() -> client.register("d-value", V1)).isInstanceOf(SchemaRegistryException.InvalidSchema.class)
                .hasMessageContaining("d-value").hasMessageContaining("Invalid schema")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(42201));
        assertThatThrownBy(() -> client.setCompatibilityLevel(Optional.of("e-value"), "SOMETIMES"))
                .isInstanceOf(SchemaRegistryException.InvalidCompatibilityLevel.class)
                .hasMessageContaining("e-value").hasMessageContaining("SOMETIMES")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(42203));
        assertThat(stub.requests).hasSize(6);
    }

    @Test
    void shouldDropTheJavaExceptionClassApicurioPutsInFrontOfIncompatibilityMessages() throws IOException {
        RegistryStub stub = stub(n -> new Reply(409, "{\"error_code\": 409, \"message\": \"io.apicurio.registry.rules."
                + "RuleViolationException: Incompatible artifact: things-value [AVRO]\"}"));

        assertThatThrownBy(() -> client(stub.url()).register("things-value", INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class)
                .hasMessageEndingWith(": Incompatible artifact: things-value [AVRO]")
                .hasMessageNotContaining("RuleViolationException");
    }

    @Test
    void shouldReadAnUnknownLevelRefusedWithAPlain400AsInvalidCompatibilityLevel() throws IOException {
        // Apicurio 2.6 cannot read an unknown enum value and answers 400 with a text body; Confluent answers 42203.
        RegistryStub stub = stub(n -> new Reply(400, "Not able to deserialize data provided."));

        assertThatThrownBy(() -> client(stub.url()).setCompatibilityLevel(Optional.empty(), "SOMETIMES"))
                .isInstanceOf(SchemaRegistryException.InvalidCompatibilityLevel.class)
                .hasMessageContaining("SOMETIMES").hasMessageContaining("global");
        assertThat(stub.requests).containsExactly("PUT /config");
    }

    @Test
    void shouldNotSendABlankLevel() throws IOException {
        RegistryStub stub = stub(n -> new Reply(200, "{}"));

        assertThatThrownBy(() -> client(stub.url()).setCompatibilityLevel(Optional.of("things-value"), " "))
                .isInstanceOf(SchemaRegistryException.InvalidCompatibilityLevel.class).hasMessageContaining("things-value");
        assertThat(stub.requests).isEmpty();
    }

    @Test
    void shouldAskForTheSubjectsLevelFallingBackToTheGlobalOne() throws IOException {
        RegistryStub stub = stub(n -> n == 1
                ? new Reply(200, "{\"compatibilityLevel\": \"FULL\"}")
                : new Reply(200, "{\"compatibilityLevel\": \"FORWARD\"}"));

        assertThat(client(stub.url()).compatibilityLevel(Optional.of("a b-value"))).isEqualTo("FULL");
        assertThat(client(stub.url()).compatibilityLevel(Optional.empty())).isEqualTo("FORWARD");
        assertThat(stub.requests).containsExactly("GET /config/a%20b-value", "GET /config");
        assertThat(stub.queries).containsExactly("defaultToGlobal=true", null);
    }

    @Test
    void shouldAnswerTheGlobalLevelForASubjectTheRegistryHasNoLevelFor() throws IOException {
        // 40401: Apicurio, for a subject without versions. 40408: a registry that ignores defaultToGlobal.
        RegistryStub stub = stub(n -> switch (n) {
            case 1 -> new Reply(404, "{\"error_code\": 40401, \"message\": \"No artifact with ID 'a-value'\"}");
            case 3 -> new Reply(404, "{\"error_code\": 40408, \"message\": \"Subject 'b-value' does not have"
                    + " subject-level compatibility configured\"}");
            default -> new Reply(200, "{\"compatibilityLevel\": \"BACKWARD\"}");
        });
        ConfluentRegistryClient client = client(stub.url());

        assertThat(client.compatibilityLevel(Optional.of("a-value"))).isEqualTo("BACKWARD");
        assertThat(client.compatibilityLevel(Optional.of("b-value"))).isEqualTo("BACKWARD");
        assertThat(stub.requests).containsExactly("GET /config/a-value", "GET /config", "GET /config/b-value", "GET /config");
    }

    @Test
    void shouldSendLevelsAndCompatibilityChecksAsConfluentsRequests() throws IOException {
        RegistryStub stub = stub(n -> n == 1 ? new Reply(200, "{\"compatibility\": \"NONE\"}")
                : new Reply(200, "{\"is_compatible\": false, \"messages\": []}"));
        ConfluentRegistryClient client = client(stub.url());

        client.setCompatibilityLevel(Optional.of("things-value"), "NONE");
        assertThat(client.isCompatible("things-value", V1)).isFalse();

        assertThat(stub.requests).containsExactly("PUT /config/things-value",
                "POST /compatibility/subjects/things-value/versions/latest");
        assertThat(stub.bodies.get(0)).isEqualTo("{\"compatibility\":\"NONE\"}");
        assertThat(stub.bodies.get(1)).contains("\"schema\"").contains("io.example");
        assertThat(stub.contentTypes).containsOnly(ConfluentRegistryClient.CONTENT_TYPE);
    }

    @Test
    void shouldReportAnAnswerWithoutTheExpectedFieldAsUnavailable() throws IOException {
        RegistryStub stub = stub(n -> new Reply(200, "{\"something\": 1}"));
        ConfluentRegistryClient client = client(stub.url());

        assertThatThrownBy(() -> client.isCompatible("things-value", V1)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("is_compatible")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode())
                        .isEqualTo(ConfluentRegistryClient.UNAVAILABLE));
        assertThatThrownBy(() -> client.compatibilityLevel(Optional.empty())).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("compatibilityLevel");
    }

    // -------------------------------------------------------------------------------------- retries and failover

    @Test
    void shouldRetryServerErrorsUntilTheRegistryAnswers() throws IOException {
        RegistryStub stub = stub(n -> n <= 2
                ? new Reply(503, "{\"error_code\": 50003, \"message\": \"Error while forwarding the request\"}")
                : new Reply(200, "{\"schema\": " + quoted(V1.toString()) + "}"));

        assertThat(client(stub.url()).schemaById(1)).isEqualTo(V1);
        assertThat(stub.requests).hasSize(3);
    }

    @Test
    void shouldGiveUpAfterTheConfiguredAttemptsWithTheLastAnswer() throws IOException {
        RegistryStub stub = stub(n -> new Reply(500, "{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}"));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url()).withRetries(4, Duration.ofMillis(5)));

        SchemaRegistryException failure = catchThrowableOfType(SchemaRegistryException.class,
                () -> client.register("things-value", V1));

        assertThat(stub.requests).hasSize(4);
        assertThat(failure.errorCode()).isEqualTo(50001);
        assertThat(failure).hasMessageStartingWith("schema registry unavailable: POST /subjects/things-value/versions")
                .hasMessageContaining("HTTP 500").hasMessageContaining("backend data store")
                .hasCauseInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void shouldFailOverToTheNextUrlWhenOneIsDown() throws IOException {
        ConfluentRegistryClient client = client(closedPortUrl() + "," + server.url());

        assertThat(client.register("things-value", V1).id()).isEqualTo(registry.lookup("things-value", V1).id());
        assertThat(client.schemaById(registry.lookup("things-value", V1).id())).isEqualTo(V1);
    }

    @Test
    void shouldStayWithTheUrlThatAnsweredLast() throws IOException {
        RegistryStub down = stub(n -> new Reply(503, "{}"));
        RegistryStub up = stub(n -> new Reply(200, "{\"schema\": " + quoted(V1.toString()) + "}"));
        ConfluentRegistryClient client = client(down.url() + "," + up.url());

        client.schemaById(1);
        client.schemaById(2);

        assertThat(down.requests).hasSize(1);
        assertThat(up.requests).hasSize(2);
    }

    @Test
    void shouldReportAnUnreachableRegistryWith50000AndTheConnectionFailure() throws IOException {
        SchemaRegistryException failure = catchThrowableOfType(SchemaRegistryException.class,
                () -> client(closedPortUrl()).schemaById(1));

        assertThat(failure.errorCode()).isEqualTo(ConfluentRegistryClient.UNAVAILABLE);
        assertThat(failure).hasMessageStartingWith("schema registry unavailable: GET /schemas/ids/1")
                .hasMessageContaining("3 attempt(s)").hasCauseInstanceOf(ConnectException.class);
    }

    @Test
    void shouldRetryARequestThatTimesOut() throws IOException {
        RegistryStub slow = stub(n -> {
            sleepQuietly(n == 1 ? 2_000 : 0);
            return new Reply(200, "{\"schema\": " + quoted(V1.toString()) + "}");
        });
        ConfluentRegistryClient client = new ConfluentRegistryClient(new ConfluentRegistryClient.Settings(
                List.of(URI.create(slow.url())), Duration.ofMillis(300), Duration.ofSeconds(1), 2, Duration.ofMillis(5)));

        assertThat(client.schemaById(1)).isEqualTo(V1);
        assertThat(slow.requests).hasSize(2);
    }

    @Test
    void shouldReportTimeoutsAsUnavailable() throws IOException {
        RegistryStub slow = stub(n -> {
            sleepQuietly(2_000);
            return new Reply(200, "{}");
        });
        ConfluentRegistryClient client = new ConfluentRegistryClient(new ConfluentRegistryClient.Settings(
                List.of(URI.create(slow.url())), Duration.ofMillis(200), Duration.ofSeconds(1), 1, Duration.ZERO));

        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema registry unavailable").hasCauseInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void shouldStopAndKeepTheInterruptFlagWhenInterrupted() throws IOException {
        // Always 503: whether the send or the backoff notices the interrupt first, the call must stop there.
        RegistryStub unavailable = stub(n -> new Reply(503, "{}"));
        ConfluentRegistryClient client = new ConfluentRegistryClient(
                settings(unavailable.url()).withRetries(5, Duration.ofSeconds(5)));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> client.register("things-value", V1)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("interrupted").hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(unavailable.requests.size()).isLessThanOrEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------- settings

    @Test
    void shouldReadCommaSeparatedUrlsWithDefaults() {
        ConfluentRegistryClient.Settings settings = ConfluentRegistryClient.Settings.of(" http://a:8081 ,https://b/x,");

        assertThat(settings.urls()).containsExactly(URI.create("http://a:8081"), URI.create("https://b/x"));
        assertThat(settings.maxAttempts()).isEqualTo(ConfluentRegistryClient.Settings.DEFAULT_MAX_ATTEMPTS);
        assertThat(settings.backoff()).isEqualTo(ConfluentRegistryClient.Settings.DEFAULT_BACKOFF);
    }

    @Test
    void shouldRefuseBadUrlsWithoutEchoingCredentials() {
        assertThatThrownBy(() -> ConfluentRegistryClient.Settings.of("http://user:hunter2@registry:8081"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentials")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConfluentRegistryClient.Settings.of("http://user:hunter2@schema_registry:8081"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConfluentRegistryClient.Settings.of("http://a:1,mock://x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://host");
        assertThatThrownBy(() -> ConfluentRegistryClient.Settings.of(" , "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> ConfluentRegistryClient.Settings.of("http://a:1").withRetries(0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static ConfluentRegistryClient.Settings settings(String urls) {
        return ConfluentRegistryClient.Settings.of(urls).withRetries(3, Duration.ofMillis(10));
    }

    private static ConfluentRegistryClient client(String urls) {
        return new ConfluentRegistryClient(settings(urls));
    }

    private static String closedPortUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private RegistryStub stub(IntFunction<Reply> replies) throws IOException {
        RegistryStub stub = RegistryStub.http(replies);
        stubs.add(stub);
        return stub;
    }
}
