package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.schemas.EventSubjects;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaCheckTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldRefuseToStartWhenTheAuditSchemaIsNotRegisteredAndSayHowToFixIt() {
        assertThatThrownBy(() -> SchemaCheck.verifyRegistered(registry, ServiceTopics.DEFAULTS, "http://registry:8081"))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("secrets-lifecycle.audit-value")
                .hasMessageContaining("io.pipelinesecrets.events.AuditEvent")
                .hasMessageContaining("schemas register");
    }

    @Test
    void shouldStartOnceTheSchemasAreRegistered() {
        EventSubjects.of(ServiceTopics.DEFAULTS).subjects().forEach(s -> registry.register(s.name(), s.schema()));

        assertThatCode(() -> SchemaCheck.verifyRegistered(registry, ServiceTopics.DEFAULTS, "http://registry:8081"))
                .doesNotThrowAnyException();
    }
}
