package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboards of deploy/grafana: valid Grafana JSON whose every query selects only metrics of the metrics
 * contract (contracts.md, mirrored in {@link PromQl#CONTRACT}; the lead cross-checks that list against a live
 * /metrics scrape), and the audit story's three views.
 */
class GrafanaDashboardsTest {

    static Stream<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DeployFiles.path("deploy/grafana/dashboards"))) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(json).as("dashboards").hasSizeGreaterThanOrEqualTo(2);
            return json.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void shouldBeADashboardWithPanelsThatEachQuerySomething(Path file) {
        JsonNode dashboard = DeployFiles.json(file);

        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(panels(dashboard)).isNotEmpty();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(dashboard)) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel id %s is unique", panel.get("id")).isTrue();
            assertThat(panel.path("gridPos").has("w") && panel.path("gridPos").has("h")).as("panel %s is placed", panel.get("title")).isTrue();
            if (!panel.path("type").asText().equals("row")) {
                assertThat(expressions(panel)).as("panel %s queries", panel.get("title")).isNotEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void shouldQueryOnlyMetricsAndLabelsOfTheContract(Path file) {
        for (JsonNode panel : panels(DeployFiles.json(file))) {
            for (String expr : expressions(panel)) {
                assertThat(PromQl.problems(expr)).as("panel \"%s\": %s", panel.get("title").asText(), expr).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void shouldTakeItsDatasourceFromAVariableSoItImportsAnywhere(Path file) {
        JsonNode dashboard = DeployFiles.json(file);
        List<String> variables = new ArrayList<>();
        dashboard.at("/templating/list").forEach(v -> variables.add(v.get("type").asText() + ":" + v.get("name").asText()));

        assertThat(variables).contains("datasource:datasource");
        for (JsonNode panel : panels(dashboard)) {
            if (panel.has("targets")) {
                assertThat(panel.at("/datasource/uid").asText()).as("panel %s", panel.get("title")).isEqualTo("${datasource}");
            }
        }
    }

    @Test
    void shouldTellTheAuditStory() {
        JsonNode audit = DeployFiles.json(DeployFiles.path("deploy/grafana/dashboards/secrets-lifecycle-audit.json"));
        List<Set<String>> panelMetrics = new ArrayList<>();
        List<String> allExpressions = new ArrayList<>();
        for (JsonNode panel : panels(audit)) {
            Set<String> metrics = new HashSet<>();
            expressions(panel).forEach(expr -> {
                metrics.addAll(PromQl.parse(expr).metrics());
                allExpressions.add(expr);
            });
            panelMetrics.add(metrics);
        }

        assertThat(panelMetrics).as("provisioned vs released over time, in one panel").anyMatch(metrics -> metrics.containsAll(
                Set.of("pipeline_secrets_runs_provisioned_total", "pipeline_secrets_runs_released_total")));
        assertThat(allExpressions).as("failures by error code").anyMatch(expr ->
                PromQl.parse(expr).metrics().contains("pipeline_secrets_runs_failed_total")
                        && PromQl.parse(expr).groupingLabels().contains("error_code"));
        assertThat(panelMetrics).as("cleanup failures outstanding")
                .anyMatch(metrics -> metrics.contains("pipeline_secrets_release_failures_outstanding"));
    }

    @Test
    void shouldProvisionTheDashboardsFromWhereComposeMountsThem() {
        JsonNode provider = DeployFiles.yaml("deploy/grafana/provisioning/dashboards/pipeline-secrets.yaml").at("/providers/0");
        JsonNode datasource = DeployFiles.yaml("deploy/grafana/provisioning/datasources/prometheus.yaml").at("/datasources/0");
        JsonNode grafana = DeployFiles.yaml("docker-compose.yml").at("/services/grafana");
        List<String> mounts = new ArrayList<>();
        grafana.get("volumes").forEach(v -> mounts.add(v.asText()));

        assertThat(mounts).contains("./deploy/grafana/dashboards:" + provider.at("/options/path").asText() + ":ro");
        assertThat(datasource.get("type").asText()).isEqualTo("prometheus");
        String host = datasource.get("url").asText().replaceFirst("^https?://", "").split(":")[0];
        assertThat(DeployFiles.yaml("docker-compose.yml").at("/services").has(host)).as("datasource host %s", host).isTrue();
    }

    // The extractor the checks above rely on must see metrics and labels, and only them.

    @Test
    void shouldReadMetricsAndLabelsOutOfAnExpression() {
        PromQl.Parsed parsed = PromQl.parse("histogram_quantile(0.95, sum by (le, backend) (rate("
                + "pipeline_secrets_backend_call_seconds_bucket{backend=\"aws-secretsmanager\", instance=~\"$instance\"}"
                + "[$__rate_interval]))) / ignoring(reason) bogus_metric offset 5m");

        assertThat(parsed.metrics()).containsExactly("pipeline_secrets_backend_call_seconds_bucket", "bogus_metric");
        assertThat(parsed.matcherLabels()).containsExactly("backend", "instance");
        assertThat(parsed.groupingLabels()).containsExactly("backend", "le", "reason");
    }

    @Test
    void shouldReportMetricsAndLabelsOutsideTheContract() {
        assertThat(PromQl.problems("sum(rate(pipeline_secrets_runs_provisioned_total[5m]))")).isEmpty();
        assertThat(PromQl.problems("sum(rate(pipeline_secrets_runs_provisoned_total[5m]))"))
                .containsExactly("metric pipeline_secrets_runs_provisoned_total is not in the metrics contract");
        assertThat(PromQl.problems("sum by (error_code) (pipeline_secrets_runs_released_total)"))
                .containsExactly("label error_code is on none of [pipeline_secrets_runs_released_total]");
        assertThat(PromQl.problems("sum({__name__=~\"pipeline_secrets_.+\"})")).contains("has a selector without a metric name");
    }

    // ---- reading dashboards

    /** Every panel, rows' nested panels included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    private static List<String> expressions(JsonNode panel) {
        List<String> expressions = new ArrayList<>();
        panel.path("targets").forEach(target -> {
            assertThat(target.path("expr").asText()).as("target %s of %s", target.path("refId"), panel.get("title")).isNotBlank();
            expressions.add(target.get("expr").asText());
        });
        return expressions;
    }
}
