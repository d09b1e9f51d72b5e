package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corners of reading refusals that the client tests against a stub do not reach: codes that do not fit the
 * call, answers that are not Confluent JSON, and long messages.
 */
class RegistryRefusalsTest {

    private static final RegistryCall BY_ID = RegistryCall.get(RegistryCall.Endpoint.SCHEMA_BY_ID, "/schemas/ids/7",
            null, "no schema with id 7");
    private static final RegistryCall REGISTER = new RegistryCall(RegistryCall.Endpoint.REGISTER, "POST",
            "/subjects/s-value/versions", "{\"schema\": \"secretMarker\"}", "s-value", null);
    private static final String REGISTRY = "https://registry:8081";

    @Test
    void shouldReadASubjectCodeOnACallWithoutSubjectAsAPlainRefusalWithItsCode() {
        SchemaRegistryException refusal = RegistryRefusals.of(BY_ID, 404,
                new ErrorAnswer(ApiError.SUBJECT_NOT_FOUND, "Subject not found"), REGISTRY, false);

        assertThat(refusal.getClass()).isEqualTo(SchemaRegistryException.class);
        assertThat(refusal.errorCode()).isEqualTo(40401);
        assertThat(refusal).hasMessage("GET /schemas/ids/7 answered HTTP 404: Subject not found");
    }

    @Test
    void shouldReadASchemaCodeWithoutADetailAsAPlainRefusalNamingTheSubject() {
        SchemaRegistryException refusal = RegistryRefusals.of(REGISTER, 404,
                new ErrorAnswer(ApiError.SCHEMA_NOT_FOUND, ""), REGISTRY, false);

        assertThat(refusal.getClass()).isEqualTo(SchemaRegistryException.class);
        assertThat(refusal).hasMessage("POST /subjects/s-value/versions answered HTTP 404 for subject 's-value'")
                .hasMessageNotContaining("secretMarker");
    }

    @Test
    void shouldNameTheCallWhenAVersionIsMissingOutsideACompatibilityCheck() {
        SchemaRegistryException refusal = RegistryRefusals.of(REGISTER, 404,
                new ErrorAnswer(ApiError.VERSION_NOT_FOUND, "Version not found"), REGISTRY, false);

        assertThat(refusal).isInstanceOf(SchemaRegistryException.VersionNotFound.class)
                .hasMessageContaining("(see POST /subjects/s-value/versions)");
    }

    @Test
    void shouldReadA403AsUnauthorizedWhateverTheCodeAndSayWhetherCredentialsWereSent() {
        SchemaRegistryException sent = RegistryRefusals.of(REGISTER, 403,
                new ErrorAnswer(ApiError.SUBJECT_NOT_FOUND, "denied"), REGISTRY, true);
        SchemaRegistryException none = RegistryRefusals.of(BY_ID, 401, new ErrorAnswer(401, ""), REGISTRY, false);

        assertThat(sent).isInstanceOf(SchemaRegistryException.Unauthorized.class)
                .hasMessageContaining("refused POST /subjects/s-value/versions (subject 's-value') with HTTP 403")
                .hasMessageContaining("not allowed");
        assertThat(none).isInstanceOf(SchemaRegistryException.Unauthorized.class)
                .hasMessageContaining(REGISTRY).hasMessageContaining("no credentials were configured");
    }

    @Test
    void shouldKeepARedirectAsAPlainRefusalWithTheStatusAsCode() {
        SchemaRegistryException refusal = RegistryRefusals.of(BY_ID, 302, new ErrorAnswer(302, ""), REGISTRY, false);

        assertThat(refusal.errorCode()).isEqualTo(302);
        assertThat(refusal).hasMessage("GET /schemas/ids/7 answered HTTP 302");
    }

    @Test
    void shouldDropOnlyALeadingJavaExceptionClassFromMessages() {
        assertThat(RegistryRefusals.withoutExceptionClass("io.apicurio.registry.rules.RuleViolationException: no"))
                .isEqualTo("no");
        assertThat(RegistryRefusals.withoutExceptionClass("Schema being registered is incompatible: x.y.Error: z"))
                .isEqualTo("Schema being registered is incompatible: x.y.Error: z");
    }

    @Test
    void shouldCutLongRegistryMessagesAndIgnoreBodiesThatAreNotConfluentJson() throws Exception {
        String longMessage = "m".repeat(ErrorAnswer.MAX_MESSAGE_CHARS + 100);
        ScriptedHttpClient http = new ScriptedHttpClient(request -> request.uri().getPath().endsWith("/long")
                ? reply(422, "{\"error_code\": 42201, \"message\": \"" + longMessage + "\"}")
                : reply(502, "<html>Bad gateway</html>"));
        RegistryTransport transport = new RegistryTransport(http, Duration.ofSeconds(1),
                RegistryAuthentication.NONE);
        URI base = URI.create("http://registry.invalid");

        ErrorAnswer cut = ErrorAnswer.of(transport.send(base, RegistryCall.get(RegistryCall.Endpoint.LOOKUP, "/long",
                null, null)));
        ErrorAnswer html = ErrorAnswer.of(transport.send(base, RegistryCall.get(RegistryCall.Endpoint.LOOKUP, "/html",
                null, null)));

        assertThat(cut.code()).isEqualTo(42201);
        assertThat(cut.message()).hasSize(ErrorAnswer.MAX_MESSAGE_CHARS + 3).endsWith("m...");
        assertThat(html).isEqualTo(new ErrorAnswer(502, ""));
        assertThat(html.suffix()).isEmpty();
    }

    private static ScriptedHttpClient.Reply reply(int status, String body) {
        return new ScriptedHttpClient.Reply(status, body.getBytes(StandardCharsets.UTF_8));
    }
}
