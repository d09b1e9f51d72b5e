package io.pipelinesecrets.serde.registry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaRegistriesTest {

    @Test
    void shouldShareOneInMemoryRegistryPerMockScope() {
        assertThat(SchemaRegistries.open("mock://shared")).isSameAs(SchemaRegistries.open("mock://shared"))
                .isNotSameAs(SchemaRegistries.open("mock://other"));
    }

    @Test
    void shouldStartAgainFromEmptyWhenAScopeIsDropped() {
        SchemaRegistry before = SchemaRegistries.open("mock://dropped");
        SchemaRegistries.dropMockScope("dropped");

        assertThat(SchemaRegistries.open("mock://dropped")).isNotSameAs(before);
    }

    @Test
    void shouldNameTheKeyAndTheFixForABadUrl() {
        assertThatThrownBy(() -> SchemaRegistries.open(" ")).hasMessageContaining("schema.registry.url is required");
        assertThatThrownBy(() -> SchemaRegistries.open("ftp://registry")).hasMessageContaining("schema.registry.url=ftp://registry")
                .hasMessageContaining("mock://");
        assertThatThrownBy(() -> SchemaRegistries.open("mock://")).hasMessageContaining("scope");
    }
}
