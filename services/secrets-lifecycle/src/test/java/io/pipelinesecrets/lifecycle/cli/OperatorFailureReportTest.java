package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.contracts.PipelineSecretsException;
import io.pipelinesecrets.lifecycle.config.ConfigException;
import io.pipelinesecrets.lifecycle.service.StartupException;
import io.pipelinesecrets.lifecycle.service.TopicReadException;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure of the service's own ({@link PipelineSecretsException}) reaches the operator as its message alone
 * and exit code 1; anything else keeps its stack trace, since it is a bug.
 */
class OperatorFailureReportTest {

    private final StringWriter err = new StringWriter();

    static Stream<RuntimeException> operatorFailures() {
        return Stream.of(
                new ConfigException(List.of("kafka.bootstrap.servers is required")),
                new StartupException("topic platform.secrets is not compacted: set cleanup.policy=compact"),
                new TopicReadException("topic secrets-lifecycle.audit does not exist"),
                new CommandFailure("run run-1 not found"),
                new SchemaRegistryException.SubjectNotFound("platform.workflow.launched-value"));
    }

    @ParameterizedTest
    @MethodSource("operatorFailures")
    void shouldPrintAnOperatorFailureAsItsMessageAloneAndExitOne(RuntimeException failure) {
        assertThat(failure).isInstanceOf(PipelineSecretsException.class);

        assertThat(executeFailing(failure)).isEqualTo(1);

        assertThat(err.toString()).isEqualTo("pipeline-secrets fail: " + failure.getMessage() + System.lineSeparator());
    }

    @Test
    void shouldKeepTheStackTraceOfAnythingElse() {
        assertThat(executeFailing(new IllegalStateException("a bug"))).isEqualTo(1);

        assertThat(err.toString()).contains("IllegalStateException: a bug").contains("\tat ");
    }

    private int executeFailing(RuntimeException failure) {
        CommandLine cli = PipelineSecretsCli.commandLine();
        cli.addSubcommand("fail", new Failing(failure));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("fail");
    }

    @CommandLine.Command(name = "fail")
    private static final class Failing implements Callable<Integer> {
        private final RuntimeException failure;

        Failing(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() {
            throw failure;
        }
    }
}
