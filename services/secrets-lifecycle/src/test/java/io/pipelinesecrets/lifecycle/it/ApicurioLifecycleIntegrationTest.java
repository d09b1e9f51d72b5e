package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import io.pipelinesecrets.testing.registry.ApicurioRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole lifecycle once with a real schema registry (Apicurio, speaking the Confluent API) instead of the
 * in-memory one, as production runs it: schemas registered beforehand with {@code schemas register},
 * auto-registration off.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApicurioLifecycleIntegrationTest {

    @Test
    void shouldRunTheLifecycleWithSchemasRegisteredInARealRegistry(TestKafka kafka, @TempDir Path work) {
        String url = ApicurioRegistry.shared().confluentUrl();
        StringWriter registration = new StringWriter();

        try (ServiceHarness harness = ServiceHarness.startWithRegistry(kafka, work, SchemaRegistries.open(url), h -> {
            CommandLine cli = PipelineSecretsCli.commandLine();
            cli.setOut(new PrintWriter(registration, true));
            int exit = cli.execute("schemas", "register", "--url", url, "--topic-prefix", h.topicPrefix());
            assertThat(exit).as("schemas register output:\n" + registration).isZero();
        })) {
            harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "from-apicurio").build());
            harness.launch(Events.launched("run-apicurio").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
            harness.awaitAction("run-apicurio", AuditAction.SECRETS_PROVISIONED);
            harness.complete(Events.completed("run-apicurio").build());
            harness.awaitAction("run-apicurio", AuditAction.SECRETS_RELEASED);

            assertThat(harness.storeFile("run-apicurio").getParent()).doesNotExist();
        }
        assertThat(registration.toString()).contains("platform.workflow.launched-value", "secrets-lifecycle.audit-value")
                .contains("registered: id").doesNotContain("REFUSED");
    }
}
