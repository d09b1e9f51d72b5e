package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import io.pipelinesecrets.testing.registry.ApicurioRegistry;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client contract against a real registry: Apicurio Registry 2.6.13's Confluent-compatible API, started once
 * per JVM by the test harness with the global level set to BACKWARD.
 *
 * <p>The tests below the contract's pin where Apicurio behaves unlike Confluent (and the embedded registry, see
 * {@link EmbeddedRegistryClientContractTest}) in ways the client cannot paper over. They document the difference
 * and fail when an Apicurio upgrade changes it; they are not the behaviour the project wants.
 */
class ApicurioRegistryClientContractIntegrationTest extends RegistryClientContract {

    @Override
    protected String registryUrl() {
        return ApicurioRegistry.shared().confluentUrl();
    }

    /** Confluent answers the global level (BACKWARD); Apicurio answers NONE, yet enforces its global BACKWARD. */
    @Test
    void apicurioAnswersNoneForASubjectWithoutALevelOfItsOwn() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        assertThat(client.compatibilityLevel(Optional.of(subject))).isEqualTo("NONE");
        assertThatThrownBy(() -> client.register(subject, INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class);
    }

    /** Confluent lets a subject's NONE override a global BACKWARD; Apicurio deletes the subject's rule instead. */
    @Test
    void apicurioKeepsApplyingTheGlobalLevelToASubjectSetToNone() {
        String subject = uniqueSubject();
        ConfluentRegistryClient client = client();
        client.register(subject, V1);

        client.setCompatibilityLevel(Optional.of(subject), "NONE");

        assertThat(client.isCompatible(subject, INCOMPATIBLE)).isFalse();
        assertThatThrownBy(() -> client.register(subject, INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class);
    }

    /** Confluent accepts a level for a subject before its first version; Apicurio answers 40401. */
    @Test
    void apicurioRefusesALevelForASubjectWithoutVersions() {
        String subject = uniqueSubject();

        assertThatThrownBy(() -> client().setCompatibilityLevel(Optional.of(subject), "NONE"))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class).hasMessageContaining(subject);
    }
}
