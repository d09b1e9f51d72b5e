package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The client contract against the embedded {@code dev} registry, which follows Confluent where Apicurio differs;
 * the tests below the contract's pin those points (their Apicurio counterparts are in
 * {@link ApicurioRegistryClientContractIntegrationTest}).
 */
class EmbeddedRegistryClientContractTest extends RegistryClientContract {

    private static ConfluentRegistryServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = new ConfluentRegistryServer(new InMemorySchemaRegistry(), new InetSocketAddress("127.0.0.1", 0)).start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected String registryUrl() {
        return server.url();
    }

    @Test
    void shouldReadTheGlobalLevelForASubjectWithVersionsButNoLevelOfItsOwn() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        assertThat(client.compatibilityLevel(Optional.of(subject))).isEqualTo("BACKWARD");
    }

    @Test
    void shouldLetASubjectLevelNoneOverrideTheGlobalBackward() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        client.setCompatibilityLevel(Optional.of(subject), "NONE");

        assertThat(client.isCompatible(subject, INCOMPATIBLE)).isTrue();
        assertThat(client.register(subject, INCOMPATIBLE).version()).isEqualTo(2);
    }

    @Test
    void shouldLetALevelBeSetForASubjectBeforeItsFirstVersion() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();

        client.setCompatibilityLevel(Optional.of(subject), "NONE");

        assertThat(client.compatibilityLevel(Optional.of(subject))).isEqualTo("NONE");
    }

    @Test
    void shouldAnswerACompatibilityCheckUnderAnUnknownSubjectWith40401() {
        // Confluent's code; the client maps Apicurio's 40402 to the same exception.
        String subject = uniqueSubject();

        assertThat(catchThrowableOfType(SchemaRegistryException.SubjectNotFound.class,
                () -> client().isCompatible(subject, V1)).errorCode()).isEqualTo(40401);
    }
}
