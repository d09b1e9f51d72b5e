package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import io.pipelinesecrets.serde.registry.http.ConfluentRegistryServer;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class SchemasCommandTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final ConfluentRegistryServer server;
    private final StringWriter out = new StringWriter();

    SchemasCommandTest() throws IOException {
        server = new ConfluentRegistryServer(registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int register(String... extra) {
        CommandLine cli = PipelineSecretsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        String[] args = new String[3 + extra.length];
        args[0] = "schemas";
        args[1] = "register";
        args[2] = "--url=" + server.url();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return cli.execute(args);
    }

    @Test
    void shouldRegisterEverySchemaUnderItsTopicSubject() {
        assertThat(register()).isZero();

        assertThat(registry.subjects()).containsExactlyInAnyOrder("platform.workflow.launched-value",
                "platform.workflow.completed-value", "platform.secrets-value", "secrets-lifecycle.audit-value");
        assertThat(out.toString()).contains("io.pipelinesecrets.events.AuditEvent").contains("registered: id");
    }

    @Test
    void shouldKeepTheIdsWhenRunAgain() {
        register();
        int launchedId = registry.latest("platform.workflow.launched-value").id();

        assertThat(register()).isZero();
        assertThat(registry.latest("platform.workflow.launched-value").id()).isEqualTo(launchedId);
        assertThat(registry.versions("platform.workflow.launched-value")).containsExactly(1);
    }

    @Test
    void shouldReportAnIncompatibleSubjectAndFail() {
        registry.register("secrets-lifecycle.audit-value", SchemaBuilder.record("AuditEvent")
                .namespace("io.pipelinesecrets.events").fields().requiredLong("somethingElse").endRecord());

        assertThat(register()).isEqualTo(1);
        assertThat(out.toString()).contains("secrets-lifecycle.audit-value").contains("REFUSED (409)");
    }

    @Test
    void shouldPrefixTheTopicsWhenAsked() {
        assertThat(register("--topic-prefix", "staging.")).isZero();

        assertThat(registry.subjects()).allMatch(subject -> subject.startsWith("staging."));
    }
}
