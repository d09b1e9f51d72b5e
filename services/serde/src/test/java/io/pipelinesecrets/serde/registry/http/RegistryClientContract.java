package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.RegisteredSchema;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What {@link ConfluentRegistryClient} expects of a Confluent-compatible registry, run against every server the
 * project talks to: the embedded {@code dev} registry and a real one (Apicurio). The server is shared by the tests
 * of a class (and, for Apicurio, by the JVM), so every test works under subjects of its own. Only the global level
 * is set, and only to BACKWARD, which it already is.
 *
 * <p>Where the servers disagree (see {@link ConfluentRegistryClient}'s class comment), the concrete classes pin
 * each one's behaviour in tests of their own rather than weakening these.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class RegistryClientContract {

    static final Schema V1 = SchemaBuilder.record("ContractThing").namespace("io.example.contract").fields()
            .requiredString("id").endRecord();
    /** V1 plus an optional field with a default: BACKWARD compatible. */
    static final Schema V2 = SchemaBuilder.record("ContractThing").namespace("io.example.contract").fields()
            .requiredString("id").optionalString("note").endRecord();
    /** V1 plus a required field without a default: not BACKWARD compatible. */
    static final Schema INCOMPATIBLE = SchemaBuilder.record("ContractThing").namespace("io.example.contract").fields()
            .requiredString("id").requiredLong("sizeWithoutDefault").endRecord();

    /** An id no test registers: ids count up from 1 on both servers. */
    static final int UNKNOWN_ID = 2_000_000_017;

    /** The server's Confluent API base URL, e.g. {@code http://127.0.0.1:8081} or {@code .../apis/ccompat/v7}. */
    protected abstract String registryUrl();

    /** The client under test, without a cache so that every call reaches the server. */
    protected ConfluentRegistryClient client() {
        return new ConfluentRegistryClient(ConfluentRegistryClient.Settings.of(registryUrl())
                .withRetries(2, Duration.ofMillis(50)));
    }

    /** A subject no other test (or earlier run against the same server) uses. */
    static String uniqueSubject() {
        return "contract-" + UUID.randomUUID() + "-value";
    }

    // ------------------------------------------------------------------------------------------------ registering

    @Test
    void shouldAssignAnIdAndVersionOneWhenASchemaIsFirstRegistered() {
        String subject = uniqueSubject();

        RegisteredSchema registered = client().register(subject, V1);

        assertThat(registered.id()).isPositive();
        assertThat(registered).isEqualTo(new RegisteredSchema(subject, registered.id(), 1, V1));
    }

    @Test
    void shouldReturnTheSameIdAndVersionWhenTheSameSchemaIsRegisteredAgain() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();

        RegisteredSchema first = client.register(subject, V1);
        RegisteredSchema again = client.register(subject, V1);

        assertThat(again).isEqualTo(first);
    }

    @Test
    void shouldShareOneIdForOneSchemaAcrossSubjects() {
        ConfluentRegistryClient client = client();

        assertThat(client.register(uniqueSubject(), V2).id()).isEqualTo(client.register(uniqueSubject(), V2).id());
    }

    @Test
    void shouldRegisterACompatibleEvolutionAsTheNextVersion() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        RegisteredSchema first = client.register(subject, V1);

        RegisteredSchema second = client.register(subject, V2);

        assertThat(second.version()).isEqualTo(2);
        assertThat(second.id()).isNotEqualTo(first.id());
    }

    // -------------------------------------------------------------------------------------------- reading back

    @Test
    void shouldLookUpTheSameIdAndVersionThatRegisteringGave() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        RegisteredSchema first = client.register(subject, V1);
        RegisteredSchema second = client.register(subject, V2);

        assertThat(client.lookup(subject, V1)).isEqualTo(first);
        assertThat(client.lookup(subject, V2)).isEqualTo(second);
    }

    @Test
    void shouldFetchTheRegisteredSchemaById() {
        ConfluentRegistryClient client = client();
        int id = client.register(uniqueSubject(), V2).id();

        Schema fetched = client.schemaById(id);

        assertThat(fetched).isEqualTo(V2);
        assertThat(fetched.getFullName()).isEqualTo("io.example.contract.ContractThing");
    }

    // ------------------------------------------------------------------------------------------------ compatibility

    @Test
    void shouldReportAnOptionalFieldWithADefaultAsCompatibleWithoutRegisteringIt() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        assertThat(client.isCompatible(subject, V2)).isTrue();
        assertThatThrownBy(() -> client.lookup(subject, V2)).isInstanceOf(SchemaRegistryException.SchemaNotFound.class);
    }

    @Test
    void shouldReportARequiredFieldWithoutADefaultAsIncompatible() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        assertThat(client.isCompatible(subject, INCOMPATIBLE)).isFalse();
    }

    @Test
    void shouldRefuseToRegisterAnIncompatibleSchemaWith409() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        SchemaRegistryException.IncompatibleSchema failure = catchThrowableOfType(
                SchemaRegistryException.IncompatibleSchema.class, () -> client.register(subject, INCOMPATIBLE));

        assertThat(failure).isNotNull().hasMessageContaining(subject);
        assertThat(failure.errorCode()).isEqualTo(409);
        assertThatThrownBy(() -> client.lookup(subject, INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class);
    }

    @Test
    void shouldReportACompatibilityCheckUnderAnUnknownSubjectAsSubjectNotFound() {
        String subject = uniqueSubject();

        assertThatThrownBy(() -> client().isCompatible(subject, V1))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class)
                .hasMessageContaining(subject);
    }

    @Test
    void shouldReadTheGlobalCompatibilityLevelAsBackward() {
        ConfluentRegistryClient client = client();
        client.setCompatibilityLevel(Optional.empty(), "BACKWARD"); // what it is already: harmless on a shared server

        assertThat(client.compatibilityLevel(Optional.empty())).isEqualTo("BACKWARD");
    }

    @Test
    void shouldReadTheGlobalLevelForASubjectWithoutVersions() {
        assertThat(client().compatibilityLevel(Optional.of(uniqueSubject()))).isEqualTo("BACKWARD");
    }

    @Test
    void shouldReadBackTheLevelSetForASubject() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        client.setCompatibilityLevel(Optional.of(subject), "NONE");
        assertThat(client.compatibilityLevel(Optional.of(subject))).isEqualTo("NONE");

        client.setCompatibilityLevel(Optional.of(subject), "BACKWARD");
        assertThat(client.compatibilityLevel(Optional.of(subject))).isEqualTo("BACKWARD");
        assertThat(client.compatibilityLevel(Optional.empty())).isEqualTo("BACKWARD");
    }

    @Test
    void shouldRefuseAnUnknownCompatibilityLevel() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        SchemaRegistryException.InvalidCompatibilityLevel failure = catchThrowableOfType(
                SchemaRegistryException.InvalidCompatibilityLevel.class,
                () -> client.setCompatibilityLevel(Optional.of(subject), "SOMETIMES"));

        assertThat(failure).isNotNull().hasMessageContaining(subject).hasMessageContaining("SOMETIMES");
        assertThat(failure.errorCode()).isEqualTo(42203);
    }

    // ------------------------------------------------------------------------------------------------------ unknowns

    @Test
    void shouldReportAnUnknownSubjectAsSubjectNotFound() {
        String subject = uniqueSubject();

        SchemaRegistryException.SubjectNotFound failure = catchThrowableOfType(
                SchemaRegistryException.SubjectNotFound.class, () -> client().lookup(subject, V1));

        assertThat(failure).isNotNull().hasMessageContaining(subject);
        assertThat(failure.errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldReportASchemaTheSubjectDoesNotHoldAsSchemaNotFound() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        SchemaRegistryException.SchemaNotFound failure = catchThrowableOfType(
                SchemaRegistryException.SchemaNotFound.class, () -> client.lookup(subject, V2));

        assertThat(failure).isNotNull().hasMessageContaining(subject);
        assertThat(failure.errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldReportAnUnknownIdAsSchemaNotFound() {
        SchemaRegistryException.SchemaNotFound failure = catchThrowableOfType(
                SchemaRegistryException.SchemaNotFound.class, () -> client().schemaById(UNKNOWN_ID));

        assertThat(failure).isNotNull().hasMessageContaining(String.valueOf(UNKNOWN_ID));
        assertThat(failure.errorCode()).isEqualTo(40403);
    }
}
