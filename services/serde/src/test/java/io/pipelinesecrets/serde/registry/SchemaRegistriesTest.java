package io.pipelinesecrets.serde.registry;

import io.pipelinesecrets.serde.registry.http.ConfluentRegistryServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;

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

    @Test
    void shouldOpenACachingHttpClientForOneOrSeveralHttpUrls() {
        assertThat(SchemaRegistries.open("http://registry:8081")).isInstanceOf(CachingSchemaRegistry.class);
        assertThat(SchemaRegistries.open(" http://a:8081, https://b:8081 ")).isInstanceOf(CachingSchemaRegistry.class)
                .isNotSameAs(SchemaRegistries.open("http://a:8081,https://b:8081"));
    }

    @Test
    void shouldRefuseHttpUrlsItCannotUseWithoutEchoingCredentials() {
        assertThatThrownBy(() -> SchemaRegistries.open("http://user:hunter2@registry:8081"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentials")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081,mock://x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://");
    }

    @Test
    void shouldTalkToAServerAtAnHttpUrl() throws IOException {
        InMemorySchemaRegistry served = new InMemorySchemaRegistry();
        Schema schema = SchemaBuilder.record("Thing").namespace("io.example").fields().requiredString("id").endRecord();
        try (ConfluentRegistryServer server = new ConfluentRegistryServer(served, new InetSocketAddress("127.0.0.1", 0))
                .start()) {
            SchemaRegistry registry = SchemaRegistries.open(server.url());

            int id = registry.register("things-value", schema).id();

            assertThat(served.lookup("things-value", schema).id()).isEqualTo(id);
            assertThat(registry.schemaById(id)).isEqualTo(schema);
        }
    }
}
