package io.pipelinesecrets.serde.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfluentRegistryServerTest {

    private static final Schema V1 = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").endRecord();
    /** V1 plus an optional field with a default: BACKWARD compatible. */
    private static final Schema V2 = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").optionalString("note").endRecord();
    /** V1 plus a required field without a default: not BACKWARD compatible. */
    private static final Schema INCOMPATIBLE = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").requiredLong("secretSizeField").endRecord();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private InMemorySchemaRegistry registry;
    private ConfluentRegistryServer server;

    @BeforeEach
    void startServer() throws IOException {
        registry = new InMemorySchemaRegistry();
        server = new ConfluentRegistryServer(registry, new InetSocketAddress("127.0.0.1", 0)).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    // ------------------------------------------------------------------------------------------------ registering

    @Test
    void shouldReturnAnIdWhenASchemaIsRegistered() {
        Answer answer = post("/subjects/things-value/versions", schemaBody(V1));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("id").asInt()).isPositive();
        assertThat(answer.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(registry.lookup("things-value", V1).id()).isEqualTo(answer.json().get("id").asInt());
    }

    @Test
    void shouldReturnTheSameIdWhenTheSameSchemaIsRegisteredAgain() {
        int first = register("things-value", V1);

        assertThat(register("things-value", V1)).isEqualTo(first);
        assertThat(get("/subjects/things-value/versions").json()).hasSize(1);
    }

    @Test
    void shouldReturnTheSameIdWhenTheSchemaIsRegisteredUnderASecondSubject() {
        int first = register("things-value", V1);

        assertThat(register("other-things-value", V1)).isEqualTo(first);
    }

    @Test
    void shouldAgreeOnIdsWithTheRegistryTheServiceUsesInProcess() {
        int inProcess = registry.register("things-value", V1).id();

        assertThat(register("things-value", V1)).isEqualTo(inProcess);
    }

    @Test
    void shouldAcceptEachOfConfluentsContentTypesAndRefuseOthersWith415() {
        for (String type : new String[] {"application/json", "application/vnd.schemaregistry.v1+json",
                "application/vnd.schemaregistry+json", "application/json; charset=utf-8"}) {
            assertThat(send("POST", "/subjects/things-value/versions", schemaBody(V1), type).status()).as(type)
                    .isEqualTo(200);
        }

        Answer refused = send("POST", "/subjects/things-value/versions", schemaBody(V1), "text/plain");

        assertThat(refused.status()).isEqualTo(415);
        assertThat(refused.errorCode()).isEqualTo(415);
    }

    @Test
    void shouldAnswerAGarbageSchemaWith42201() {
        Answer notJson = post("/subjects/things-value/versions", body("schema", "{not json at all"));
        Answer notAvro = post("/subjects/things-value/versions", body("schema", "{\"type\": \"record\"}"));
        Answer noSchema = post("/subjects/things-value/versions", body("schemaType", "AVRO"));

        for (Answer answer : new Answer[] {notJson, notAvro, noSchema}) {
            assertThat(answer.status()).isEqualTo(422);
            assertThat(answer.errorCode()).isEqualTo(42201);
            assertThat(answer.message()).contains("things-value");
        }
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void shouldRefuseSchemaTypesOtherThanAvroWith42201() {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("schema", "{\"type\": \"object\"}");
        json.put("schemaType", "JSON");

        Answer answer = post("/subjects/things-value/versions", write(json));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo(42201);
        assertThat(answer.message()).contains("AVRO");
    }

    @Test
    void shouldAcceptAnExplicitAvroSchemaType() {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("schema", V1.toString());
        json.put("schemaType", "AVRO");

        assertThat(post("/subjects/things-value/versions", write(json)).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswerABodyThatIsNotJsonWith400() {
        Answer answer = post("/subjects/things-value/versions", "schema=please");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.errorCode()).isEqualTo(400);
    }

    @Test
    void shouldNeverEchoTheRequestBodyInErrorMessages() {
        String marker = "SECRET-MARKER-7f3a";
        register("things-value", V1);
        Schema incompatible = SchemaBuilder.record("Thing").namespace("io.example").fields().requiredString("id")
                .requiredString(marker.replace('-', '_')).endRecord();

        Answer[] answers = {
            post("/subjects/things-value/versions", body("schema", "{\"type\": \"" + marker + "\"}")),
            post("/subjects/things-value/versions", body("schema", "{" + marker)),
            post("/subjects/things-value/versions", "{\"schema\": " + marker),
            post("/subjects/things-value/versions", schemaBody(incompatible)),
            post("/subjects/things-value", body("schema", "[\"" + marker + "\"")),
            put("/config", body("compatibility", marker)),
        };

        for (Answer answer : answers) {
            assertThat(answer.status()).isBetween(400, 499);
            assertThat(answer.text()).doesNotContain(marker).doesNotContain(marker.replace('-', '_'));
        }
        assertThat(answers[3].status()).isEqualTo(409);
    }

    // ---------------------------------------------------------------------------------------------------- reading

    @Test
    void shouldFindARegisteredSchemaUnderItsSubject() {
        int id = register("things-value", V1);

        Answer answer = post("/subjects/things-value", schemaBody(V1));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("subject").asText()).isEqualTo("things-value");
        assertThat(answer.json().get("id").asInt()).isEqualTo(id);
        assertThat(answer.json().get("version").asInt()).isEqualTo(1);
        assertThat(new Schema.Parser().parse(answer.json().get("schema").asText())).isEqualTo(V1);
    }

    @Test
    void shouldAnswerLookupsUnderAnUnknownSubjectWith40401AndOfAnUnknownSchemaWith40403() {
        register("things-value", V1);

        Answer unknownSubject = post("/subjects/nothing-value", schemaBody(V1));
        Answer unknownSchema = post("/subjects/things-value", schemaBody(V2));

        assertThat(unknownSubject.status()).isEqualTo(404);
        assertThat(unknownSubject.errorCode()).isEqualTo(40401);
        assertThat(unknownSubject.message()).contains("nothing-value");
        assertThat(unknownSchema.status()).isEqualTo(404);
        assertThat(unknownSchema.errorCode()).isEqualTo(40403);
        assertThat(unknownSchema.message()).contains("things-value");
    }

    @Test
    void shouldReturnSchemaTextByIdThatParsesToTheRegisteredSchema() {
        int id = register("things-value", V2);

        Answer answer = get("/schemas/ids/" + id);

        assertThat(answer.status()).isEqualTo(200);
        Schema parsed = new Schema.Parser().parse(answer.json().get("schema").asText());
        assertThat(parsed).isEqualTo(V2);
        assertThat(parsed.getFullName()).isEqualTo("io.example.Thing");
    }

    @Test
    void shouldAnswerAnUnknownIdWith40403() {
        Answer unknown = get("/schemas/ids/999");
        Answer notANumber = get("/schemas/ids/abc");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo(40403);
        assertThat(unknown.message()).contains("999");
        assertThat(notANumber.status()).isEqualTo(404);
        assertThat(notANumber.errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldListSubjectsAndTheirVersions() {
        assertThat(get("/subjects").json()).isEmpty();
        register("things-value", V1);
        register("things-value", V2);
        register("other-value", V1);

        JsonNode subjects = get("/subjects").json();
        JsonNode versions = get("/subjects/things-value/versions").json();

        assertThat(subjects.isArray()).isTrue();
        assertThat(subjects).extracting(JsonNode::asText).containsExactly("things-value", "other-value");
        assertThat(versions.isArray()).isTrue();
        assertThat(versions).extracting(JsonNode::asInt).containsExactly(1, 2);
    }

    @Test
    void shouldServeAVersionByNumberAndAsLatest() {
        int v1 = register("things-value", V1);
        int v2 = register("things-value", V2);

        JsonNode first = get("/subjects/things-value/versions/1").json();
        JsonNode latest = get("/subjects/things-value/versions/latest").json();

        assertThat(first.get("subject").asText()).isEqualTo("things-value");
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("id").asInt()).isEqualTo(v1);
        assertThat(new Schema.Parser().parse(first.get("schema").asText())).isEqualTo(V1);
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("id").asInt()).isEqualTo(v2);
        assertThat(new Schema.Parser().parse(latest.get("schema").asText())).isEqualTo(V2);
        assertThat(get("/subjects/things-value/versions/-1").json().get("version").asInt()).isEqualTo(2);
    }

    @Test
    void shouldAnswerUnknownSubjectsWith40401AndUnknownVersionsWith40402() {
        register("things-value", V1);

        Answer versionsOfUnknown = get("/subjects/nothing-value/versions");
        Answer versionOfUnknown = get("/subjects/nothing-value/versions/1");
        Answer latestOfUnknown = get("/subjects/nothing-value/versions/latest");
        Answer unknownVersion = get("/subjects/things-value/versions/7");

        for (Answer answer : new Answer[] {versionsOfUnknown, versionOfUnknown, latestOfUnknown}) {
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo(40401);
            assertThat(answer.message()).contains("nothing-value");
        }
        assertThat(unknownVersion.status()).isEqualTo(404);
        assertThat(unknownVersion.errorCode()).isEqualTo(40402);
        assertThat(unknownVersion.message()).contains("7").contains("things-value");
    }

    @Test
    void shouldAnswerAVersionThatIsNotANumberWith42202() {
        register("things-value", V1);

        for (String version : new String[] {"abc", "0", "-2"}) {
            Answer answer = get("/subjects/things-value/versions/" + version);
            assertThat(answer.status()).as(version).isEqualTo(422);
            assertThat(answer.errorCode()).as(version).isEqualTo(42202);
        }
    }

    @Test
    void shouldTakeSubjectsAsUrlDecodedPathSegments() {
        String subject = "team a/things+value é";
        String encoded = "team%20a%2Fthings+value%20%C3%A9";

        Answer registered = post("/subjects/" + encoded + "/versions", schemaBody(V1));

        assertThat(registered.status()).isEqualTo(200);
        assertThat(registry.subjects()).containsExactly(subject);
        assertThat(get("/subjects").json().get(0).asText()).isEqualTo(subject);
        assertThat(get("/subjects/" + encoded + "/versions/latest").json().get("subject").asText()).isEqualTo(subject);
    }

    // ------------------------------------------------------------------------------------------------ compatibility

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409AndReportItIncompatible() {
        register("things-value", V1);

        Answer check = post("/compatibility/subjects/things-value/versions/latest", schemaBody(INCOMPATIBLE));
        Answer refused = post("/subjects/things-value/versions", schemaBody(INCOMPATIBLE));

        assertThat(check.status()).isEqualTo(200);
        assertThat(check.json().get("is_compatible").asBoolean()).isFalse();
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo(409);
        assertThat(refused.message()).contains("things-value").contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(get("/subjects/things-value/versions").json()).hasSize(1);
    }

    @Test
    void shouldRegisterACompatibleEvolutionAsVersionTwoAndReportItCompatible() {
        int v1 = register("things-value", V1);

        Answer check = post("/compatibility/subjects/things-value/versions/latest", schemaBody(V2));
        int v2 = register("things-value", V2);

        assertThat(check.status()).isEqualTo(200);
        assertThat(check.json().get("is_compatible").asBoolean()).isTrue();
        assertThat(v2).isNotEqualTo(v1);
        assertThat(post("/subjects/things-value", schemaBody(V2)).json().get("version").asInt()).isEqualTo(2);
        assertThat(post("/compatibility/subjects/things-value/versions/1", schemaBody(V2)).json()
                .get("is_compatible").asBoolean()).isTrue();
    }

    @Test
    void shouldAnswerTheCompatibilityCheckOfAnUnknownSubjectWith40401() {
        Answer answer = post("/compatibility/subjects/nothing-value/versions/latest", schemaBody(V1));

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldLetAnIncompatibleSchemaRegisterUnderCompatibilityNone() {
        register("things-value", V1);

        Answer set = put("/config", body("compatibility", "NONE"));

        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().get("compatibility").asText()).isEqualTo("NONE");
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(post("/compatibility/subjects/things-value/versions/latest", schemaBody(INCOMPATIBLE)).json()
                .get("is_compatible").asBoolean()).isTrue();
        Answer registered = post("/subjects/things-value/versions", schemaBody(INCOMPATIBLE));
        assertThat(registered.status()).isEqualTo(200);
        assertThat(get("/subjects/things-value/versions/latest").json().get("version").asInt()).isEqualTo(2);
    }

    @Test
    void shouldAnswerTheGlobalLevelAsBackwardAndRefuseLevelsItDoesNotSupportWith42203() {
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

        for (String level : new String[] {"FULL", "FORWARD_TRANSITIVE", "nonsense"}) {
            Answer refused = put("/config", body("compatibility", level));
            assertThat(refused.status()).as(level).isEqualTo(422);
            assertThat(refused.errorCode()).as(level).isEqualTo(42203);
        }
        assertThat(put("/config", "{}").errorCode()).isEqualTo(42203);
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void shouldLetASubjectLevelOverrideTheGlobalLevel() {
        register("loose-value", V1);
        register("strict-value", V1);

        Answer before = get("/config/loose-value");
        Answer set = put("/config/loose-value", body("compatibility", "NONE"));

        assertThat(before.status()).isEqualTo(404);
        assertThat(before.errorCode()).isEqualTo(40408);
        assertThat(before.message()).contains("loose-value");
        assertThat(get("/config/strict-value?defaultToGlobal=true").json().get("compatibilityLevel").asText())
                .isEqualTo("BACKWARD");
        assertThat(set.json().get("compatibility").asText()).isEqualTo("NONE");
        assertThat(get("/config/loose-value").json().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(post("/subjects/loose-value/versions", schemaBody(INCOMPATIBLE)).status()).isEqualTo(200);
        assertThat(post("/subjects/strict-value/versions", schemaBody(INCOMPATIBLE)).status()).isEqualTo(409);
        assertThat(put("/config/loose-value", body("compatibility", "FULL")).errorCode()).isEqualTo(42203);
    }

    // ------------------------------------------------------------------------------------------------------ HTTP

    @Test
    void shouldAnswerAWrongMethodWith405() {
        Answer deleteSubjects = send("DELETE", "/subjects", null, null);
        Answer getLookup = get("/subjects/things-value");
        Answer putVersions = put("/subjects/things-value/versions", schemaBody(V1));

        for (Answer answer : new Answer[] {deleteSubjects, getLookup, putVersions}) {
            assertThat(answer.status()).isEqualTo(405);
            assertThat(answer.errorCode()).isEqualTo(405);
        }
        assertThat(putVersions.allow()).isEqualTo("GET, POST");
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void shouldAnswerAnUnknownPathWith404() {
        for (String path : new String[] {"/", "/nothing", "/subjects/things-value/schemas", "/schemas/ids",
                "/subjects//versions", "/config/a/b"}) {
            Answer answer = get(path);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.errorCode()).as(path).isEqualTo(404);
            assertThat(answer.contentType()).as(path).isEqualTo("application/vnd.schemaregistry.v1+json");
        }
    }

    @Test
    void shouldExposeItsPortAndUrlOnceStarted() throws IOException {
        assertThat(server.port()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());

        try (ConfluentRegistryServer notStarted = new ConfluentRegistryServer(registry,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertThatThrownBy(notStarted::port).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldNameTheAddressWhenThePortIsTaken() {
        InetSocketAddress taken = new InetSocketAddress("127.0.0.1", server.port());

        assertThatThrownBy(() -> new ConfluentRegistryServer(registry, taken).start())
                .isInstanceOf(java.net.BindException.class)
                .hasMessageContaining("127.0.0.1:" + server.port());
    }

    @Test
    void shouldStopAnsweringOnceClosed() {
        int port = server.port();
        server.close();
        server.close();

        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/subjects"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldUseDaemonThreadsSoThatAForgottenServerDoesNotKeepTheJvmAlive() throws Exception {
        assertThat(get("/subjects").status()).isEqualTo(200);

        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("schema-registry-http-"))
                .isNotEmpty()
                .allMatch(Thread::isDaemon);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private int register(String subject, Schema schema) {
        Answer answer = post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return answer.json().get("id").asInt();
    }

    private static String schemaBody(Schema schema) {
        return body("schema", schema.toString());
    }

    private static String body(String field, String value) {
        return write(Map.of(field, value));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer get(String path) {
        return send("GET", path, null, null);
    }

    private Answer post(String path, String json) {
        return send("POST", path, json, "application/vnd.schemaregistry.v1+json");
    }

    private Answer put(String path, String json) {
        return send("PUT", path, json, "application/vnd.schemaregistry.v1+json");
    }

    private Answer send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("Allow").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Answer(int status, String text, String contentType, String allow) {

        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int errorCode() {
            return json().get("error_code").asInt();
        }

        String message() {
            return json().get("message").asText();
        }
    }
}
