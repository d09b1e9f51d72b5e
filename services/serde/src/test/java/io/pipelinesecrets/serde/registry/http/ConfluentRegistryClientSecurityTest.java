package io.pipelinesecrets.serde.registry.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import io.pipelinesecrets.serde.registry.http.RegistryStub.Reply;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Credentials and TLS: the {@code Authorization} header, 401/403 answers, and trusting a registry's self-signed
 * certificate from a trust store. Certificates are made by {@code keytool} once per class in a temporary directory.
 */
class ConfluentRegistryClientSecurityTest {

    private static final Schema V1 = SchemaBuilder.record("Thing").namespace("io.example").fields()
            .requiredString("id").endRecord();
    private static final String SCHEMA_ANSWER = "{\"schema\": " + quoted(V1.toString()) + "}";
    private static final String PASSWORD = "hunter2:with:colons";
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig-7f3a";
    private static final String STORE_PASSWORD = "store-pass-91c4";

    @TempDir
    static Path certificates;
    /** Key pair and certificate for 127.0.0.1 and localhost, as the registry's. */
    private static Path serverKeyStore;
    /** Key pair and certificate for another host name only. */
    private static Path otherHostKeyStore;
    /** The registry's certificate alone, as PKCS12 and as JKS. */
    private static Path trustStoreP12;
    private static Path trustStoreJks;

    private final List<AutoCloseable> servers = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        serverKeyStore = keytoolKeyPair("registry", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        otherHostKeyStore = keytoolKeyPair("elsewhere", "CN=registry.example", "SAN=dns:registry.example");
        trustStoreP12 = trustStoreOf(serverKeyStore, "PKCS12", certificates.resolve("trust.p12"));
        trustStoreJks = trustStoreOf(serverKeyStore, "JKS", certificates.resolve("trust.jks"));
    }

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    // -------------------------------------------------------------------------------------------- authentication

    @Test
    void shouldSendBasicAuthenticationFromUserInfoWithColonsInThePassword() throws Exception {
        RegistryStub stub = httpStub(n -> new Reply(200, SCHEMA_ANSWER));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url())
                .withAuthentication(RegistryAuthentication.basicUserInfo("alice:" + PASSWORD)));

        assertThat(client.schemaById(1)).isEqualTo(V1);

        assertThat(stub.authorization).containsExactly("Basic " + Base64.getEncoder()
                .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSendABearerToken() throws Exception {
        RegistryStub stub = httpStub(n -> new Reply(200, SCHEMA_ANSWER));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url())
                .withAuthentication(new RegistryAuthentication.Bearer(TOKEN)));

        client.schemaById(1);
        client.schemaById(2);

        assertThat(stub.authorization).containsExactly("Bearer " + TOKEN, "Bearer " + TOKEN);
    }

    @Test
    void shouldSendNoAuthorizationHeaderWithoutCredentials() throws Exception {
        RegistryStub stub = httpStub(n -> new Reply(200, SCHEMA_ANSWER));

        new ConfluentRegistryClient(settings(stub.url())).schemaById(1);

        assertThat(stub.authorization).containsExactly((String) null);
    }

    @Test
    void shouldReportRefusedCredentialsAsUnauthorizedNamingTheHostAndTheSettingsButNoSecret() throws Exception {
        RegistryStub stub = httpStub(n -> new Reply(401, "{\"error_code\": 401, \"message\": \"Unauthorized\"}"));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url())
                .withAuthentication(RegistryAuthentication.basicUserInfo("alice:" + PASSWORD)));

        SchemaRegistryException.Unauthorized failure = catchThrowableOfType(SchemaRegistryException.Unauthorized.class,
                () -> client.lookup("things-value", V1));

        assertThat(failure).isNotNull()
                .hasMessageContaining("127.0.0.1:" + stub.port())
                .hasMessageContaining("things-value")
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("schema.registry.basic-auth.user-info")
                .hasMessageContaining("schema.registry.bearer-token")
                .hasMessageContaining("not accepted")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining(Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertThat(failure.errorCode()).isEqualTo(401);
        assertThat(stub.requests).as("a refusal is not retried").hasSize(1);
    }

    @Test
    void shouldSayWhenNoCredentialsWereConfigured() throws Exception {
        RegistryStub stub = httpStub(n -> new Reply(401, "<html>login</html>"));

        assertThatThrownBy(() -> new ConfluentRegistryClient(settings(stub.url())).schemaById(3))
                .isInstanceOf(SchemaRegistryException.Unauthorized.class)
                .hasMessageContaining("no credentials were configured").hasMessageContaining("GET /schemas/ids/3");
    }

    @Test
    void shouldReportAForbiddenOperationAsUnauthorized() throws Exception {
        RegistryStub stub = httpStub(n -> new Reply(403, "{\"error_code\": 40301, \"message\": \"User is denied operation Write\"}"));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url())
                .withAuthentication(new RegistryAuthentication.Bearer(TOKEN)));

        SchemaRegistryException.Unauthorized failure = catchThrowableOfType(SchemaRegistryException.Unauthorized.class,
                () -> client.register("things-value", V1));

        assertThat(failure).hasMessageContaining("HTTP 403").hasMessageContaining("not allowed")
                .hasMessageContaining("schema.registry.bearer-token").hasMessageNotContaining(TOKEN);
        assertThat(failure.errorCode()).isEqualTo(40301);
    }

    @Test
    void shouldNeverShowCredentialsInSettings() {
        ConfluentRegistryClient.Settings basic = settings("https://registry:8081")
                .withAuthentication(RegistryAuthentication.basicUserInfo("alice:" + PASSWORD))
                .withTrustStore(new RegistryTrustStore(Path.of("/etc/trust.p12"), STORE_PASSWORD, "pkcs12"));
        ConfluentRegistryClient.Settings bearer = basic.withAuthentication(new RegistryAuthentication.Bearer(TOKEN));

        assertThat(basic.toString()).doesNotContain("hunter2").doesNotContain(STORE_PASSWORD)
                .contains("/etc/trust.p12").contains("PKCS12");
        assertThat(bearer.toString()).doesNotContain(TOKEN);
    }

    @Test
    void shouldRefuseMalformedCredentialsWithoutEchoingThem() {
        assertThatThrownBy(() -> RegistryAuthentication.basicUserInfo("hunter2-without-colon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user:password")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RegistryAuthentication.basicUserInfo(":hunter2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new RegistryAuthentication.Bearer("hunter2 token"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new RegistryAuthentication.Basic("alice", "hunter2\r\nX-Injected: 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
    }

    // --------------------------------------------------------------------------------------------------------- TLS

    @Test
    void shouldTrustTheRegistrysCertificateFromTheConfiguredTrustStore() throws Exception {
        RegistryStub stub = httpsStub(serverKeyStore, n -> new Reply(200, SCHEMA_ANSWER));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url())
                .withTrustStore(new RegistryTrustStore(trustStoreP12, STORE_PASSWORD, "PKCS12"))
                .withAuthentication(RegistryAuthentication.basicUserInfo("alice:" + PASSWORD)));

        assertThat(client.schemaById(1)).isEqualTo(V1);
        assertThat(stub.authorization).singleElement().asString().startsWith("Basic ");
    }

    @Test
    void shouldRefuseACertificateTheJdkDoesNotTrust() throws Exception {
        RegistryStub stub = httpsStub(serverKeyStore, n -> new Reply(200, SCHEMA_ANSWER));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url()).withRetries(1, Duration.ZERO));

        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("schema registry unavailable").hasCauseInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path building failed");
        assertThat(stub.requests).isEmpty();
    }

    @Test
    void shouldVerifyTheHostNameEvenForATrustedCertificate() throws Exception {
        RegistryStub stub = httpsStub(otherHostKeyStore, n -> new Reply(200, SCHEMA_ANSWER));
        Path trustOther = trustStoreOf(otherHostKeyStore, "PKCS12", certificates.resolve("trust-other.p12"));
        ConfluentRegistryClient client = new ConfluentRegistryClient(settings(stub.url()).withRetries(1, Duration.ZERO)
                .withTrustStore(new RegistryTrustStore(trustOther, STORE_PASSWORD, "PKCS12")));

        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .hasCauseInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
        assertThat(stub.requests).isEmpty();
    }

    @Test
    void shouldOpenAnHttpsRegistryWithCredentialsTrustStoreAndTimeoutFromSettings() throws Exception {
        RegistryStub stub = httpsStub(serverKeyStore, n -> new Reply(200, SCHEMA_ANSWER));
        Map<String, String> config = Map.of(
                SchemaRegistries.BASIC_AUTH_USER_INFO, "alice:" + PASSWORD,
                SchemaRegistries.TRUSTSTORE_LOCATION, trustStoreJks.toString(),
                SchemaRegistries.TRUSTSTORE_PASSWORD, STORE_PASSWORD,
                SchemaRegistries.TRUSTSTORE_TYPE, "JKS",
                SchemaRegistries.REQUEST_TIMEOUT, "3s");

        SchemaRegistry registry = SchemaRegistries.open(stub.url(), config);

        assertThat(registry.schemaById(5)).isEqualTo(V1);
        assertThat(stub.authorization).containsExactly("Basic " + Base64.getEncoder()
                .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertThat(SchemaRegistries.clientSettings(stub.url(), config).requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void shouldNameTheTrustStoreButNotItsPasswordWhenItCannotBeRead() {
        assertThatThrownBy(() -> new RegistryTrustStore(trustStoreP12, "wrong-secret-5e1", "PKCS12").sslContext())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(trustStoreP12.toString()).hasMessageContaining("PKCS12")
                .hasMessageNotContaining("wrong-secret-5e1");
        Path missing = certificates.resolve("missing.p12");
        assertThatThrownBy(() -> new ConfluentRegistryClient(settings("https://127.0.0.1:1")
                .withTrustStore(new RegistryTrustStore(missing, "wrong-secret-5e1", null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString())
                .hasMessageContaining("missing").hasMessageNotContaining("wrong-secret-5e1");
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private static ConfluentRegistryClient.Settings settings(String url) {
        return ConfluentRegistryClient.Settings.of(url).withRetries(2, Duration.ofMillis(10));
    }

    /** {@code keytool -genkeypair} into a PKCS12 store in the temporary directory. */
    private static Path keytoolKeyPair(String alias, String dname, String san) throws Exception {
        Path store = certificates.resolve(alias + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", alias, "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", dname, "-ext", san,
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();
        return store;
    }

    /** A store holding only the certificate of the key pair in {@code keyStore}. */
    private static Path trustStoreOf(Path keyStore, String type, Path target) throws Exception {
        KeyStore keys = load(keyStore);
        Certificate certificate = keys.getCertificate(keys.aliases().nextElement());
        KeyStore trust = KeyStore.getInstance(type);
        trust.load(null, null);
        trust.setCertificateEntry("registry", certificate);
        try (OutputStream out = Files.newOutputStream(target)) {
            trust.store(out, STORE_PASSWORD.toCharArray());
        }
        return target;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        return keys;
    }

    private RegistryStub httpStub(IntFunction<Reply> replies) throws IOException {
        RegistryStub stub = RegistryStub.http(replies);
        servers.add(stub);
        return stub;
    }

    private RegistryStub httpsStub(Path keyStore, IntFunction<Reply> replies) throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(load(keyStore), STORE_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        RegistryStub stub = new RegistryStub(server, "https", replies);
        servers.add(stub);
        return stub;
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
