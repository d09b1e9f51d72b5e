package io.pipelinesecrets.serde.registry;

import io.pipelinesecrets.serde.registry.http.ConfluentRegistryServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import io.pipelinesecrets.serde.registry.http.ConfluentRegistryClient;
import io.pipelinesecrets.serde.registry.http.RegistryAuthentication;
import io.pipelinesecrets.serde.registry.http.RegistryTrustStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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

    @Test
    void shouldReadCredentialsTrustStoreAndTimeoutFromSettings() {
        ConfluentRegistryClient.Settings settings = SchemaRegistries.clientSettings("https://registry:8081", Map.of(
                "schema.registry.basic-auth.user-info", "alice:hunter2",
                "schema.registry.ssl.truststore.location", "/etc/registry/trust.p12",
                "schema.registry.ssl.truststore.password", "changeit",
                "schema.registry.ssl.truststore.type", "pkcs12",
                "schema.registry.request-timeout", "2500ms",
                "schema.registry.url", "https://ignored:1",
                "schema.registry.auto-register", "false",
                "kafka.bootstrap.servers", "not-mine:9092"));

        assertThat(settings.authentication()).isEqualTo(new RegistryAuthentication.Basic("alice", "hunter2"));
        assertThat(settings.trustStore()).isEqualTo(new RegistryTrustStore(
                Path.of("/etc/registry/trust.p12"), "changeit", "PKCS12"));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(settings.connectTimeout()).isEqualTo(ConfluentRegistryClient.Settings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(settings.urls()).extracting(Object::toString).containsExactly("https://registry:8081");
    }

    @Test
    void shouldReadABearerTokenAndDefaultsFromSettings() {
        ConfluentRegistryClient.Settings settings = SchemaRegistries.clientSettings("http://registry:8081", Map.of(
                "schema.registry.bearer-token", "tok.en-1", "schema.registry.basic-auth.user-info", " "));

        assertThat(settings.authentication()).isEqualTo(new RegistryAuthentication.Bearer("tok.en-1"));
        assertThat(settings.trustStore()).isNull();
        assertThat(settings.requestTimeout()).isEqualTo(ConfluentRegistryClient.Settings.DEFAULT_REQUEST_TIMEOUT);
        assertThat(SchemaRegistries.clientSettings("http://registry:8081", Map.of()).authentication())
                .isEqualTo(RegistryAuthentication.NONE);
    }

    @Test
    void shouldReadTimeoutsInTheServicesDurationSyntax() {
        for (Map.Entry<String, Duration> example : Map.of("10s", Duration.ofSeconds(10), "500ms", Duration.ofMillis(500),
                "1m", Duration.ofMinutes(1), "PT30S", Duration.ofSeconds(30), " 2S ", Duration.ofSeconds(2)).entrySet()) {
            assertThat(SchemaRegistries.clientSettings("http://r:1", Map.of("schema.registry.request-timeout",
                    example.getKey())).requestTimeout()).as(example.getKey()).isEqualTo(example.getValue());
        }
    }

    @Test
    void shouldRefuseUnknownOrBadSettingsNamingTheKeyButNoSecret() {
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081",
                Map.of("schema.registry.basic.auth.user.info", "alice:hunter2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.basic.auth.user.info").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SchemaRegistries.open("mock://typo", Map.of("schema.registry.bearer_token", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.bearer_token");
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081", Map.of(
                "schema.registry.basic-auth.user-info", "alice:hunter2", "schema.registry.bearer-token", "hunter2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081",
                Map.of("schema.registry.basic-auth.user-info", "hunter2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user:password")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081",
                Map.of("schema.registry.request-timeout", "10")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.request-timeout=10");
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081",
                Map.of("schema.registry.request-timeout", "0s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> SchemaRegistries.open("http://registry:8081",
                Map.of("schema.registry.ssl.truststore.password", "hunter2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.location").hasMessageNotContaining("hunter2");
    }

    @Test
    void shouldOpenAMockScopeWhateverTheCredentials() {
        assertThat(SchemaRegistries.open("mock://creds", Map.of("schema.registry.basic-auth.user-info", "a:b")))
                .isSameAs(SchemaRegistries.open("mock://creds"));
    }
}
