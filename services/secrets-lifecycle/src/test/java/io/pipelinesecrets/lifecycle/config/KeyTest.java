package io.pipelinesecrets.lifecycle.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How one {@link Key} and one {@link PerComputeEnv} read a text, and what their problems say. */
class KeyTest {

    private static final Key<Integer> PORT = Key.of("admin.port", ValueType.INT, "8080", "port").rule(Rule.port());

    @Test
    void shouldReadAValidTextAsItsTypeWithoutAProblem() {
        List<String> problems = new ArrayList<>();

        assertThat(PORT.read("9090", problems)).contains(9090);
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldNameTheKeyTheTextAndTheAcceptedFormsWhenTheTextDoesNotParse() {
        List<String> problems = new ArrayList<>();

        assertThat(PORT.read("http", problems)).isEmpty();
        assertThat(problems).containsExactly("admin.port=http is not valid; use a whole number (0-65535)");
    }

    @Test
    void shouldReportOnlyTheFirstRuleAValueBreaks() {
        Key<Integer> replication = Key.of("topics.replication-factor", ValueType.INT, "3", "copies")
                .rule(Rule.atLeast(1)).rule(new Rule<>(value -> value < 10, "< 10", "is too many"));
        List<String> problems = new ArrayList<>();

        assertThat(replication.read("0", problems)).isEmpty();
        assertThat(problems).containsExactly("topics.replication-factor=0 must be at least 1");
    }

    @Test
    void shouldNeverQuoteTheTextOfASecret() {
        Key<Duration> secret = Key.of("x.secret-timeout", ValueType.DURATION, "description").asSecret();
        List<String> problems = new ArrayList<>();

        secret.read("hunter2-hunter2", problems);

        assertThat(problems).singleElement().asString().startsWith("x.secret-timeout (value not shown) is not valid")
                .doesNotContain("hunter2");
    }

    @Test
    void shouldShowTheTypeWithItsRulesAndTheDefaultAsAValue() {
        assertThat(PORT.typeSummary()).isEqualTo("integer, 0-65535");
        assertThat(PORT.defaultValue()).contains(8080);
        assertThat(ServiceKeys.MAX_RUN_LIFETIME.defaultValue()).isEmpty();
        assertThat(ServiceKeys.STALE_LAUNCH_AGE.typeSummary()).isEqualTo("duration, > 0");
    }

    @Test
    void shouldNameAPerComputeEnvironmentKeyAndItsVariableKeepingTheIdAsWritten() {
        PerComputeEnv<List<String>> regions = ServiceKeys.COMPUTE_ENV_REGIONS;

        assertThat(regions.pattern()).isEqualTo("aws.compute-env.<id>.regions");
        assertThat(regions.environmentPattern()).isEqualTo("PIPELINE_SECRETS_AWS_COMPUTE_ENV_<id>_REGIONS");
        assertThat(regions.key("ce-A").name()).isEqualTo("aws.compute-env.ce-A.regions");
        assertThat(regions.computeEnvIdOf("aws.compute-env.ce.A.regions")).contains("ce.A");
        assertThat(regions.computeEnvIdOf("aws.compute-env..regions")).isEmpty();
        assertThat(regions.computeEnvIdOf("aws.compute-env.ce-A.role-arns")).isEmpty();
        assertThat(regions.keyOfEnvironmentVariable("PIPELINE_SECRETS_AWS_COMPUTE_ENV_ceA_REGIONS"))
                .contains("aws.compute-env.ceA.regions");
        assertThat(regions.keyOfEnvironmentVariable("PIPELINE_SECRETS_AWS_COMPUTE_ENV__REGIONS")).isEmpty();
        assertThat(ServiceKeys.COMPUTE_ENV_NAME_TEMPLATE.keyOfEnvironmentVariable(
                "PIPELINE_SECRETS_AWS_COMPUTE_ENV_x_NAME_TEMPLATE")).contains("aws.compute-env.x.name-template");
    }

    @Test
    void shouldGiveAnOverrideTheTypeAndRulesOfTheKeyItOverrides() {
        PerComputeEnv<Duration> lease = ServiceKeys.COMPUTE_ENV_MAX_RUN_LIFETIME;
        List<String> problems = new ArrayList<>();

        assertThat(lease.overrides()).contains(ServiceKeys.MAX_RUN_LIFETIME);
        assertThat(lease.key("ce-1").read("0s", problems)).isEqualTo(Optional.empty());
        assertThat(problems).containsExactly("lifecycle.compute-env.ce-1.max-run-lifetime=0s must be longer than zero");
    }
}
