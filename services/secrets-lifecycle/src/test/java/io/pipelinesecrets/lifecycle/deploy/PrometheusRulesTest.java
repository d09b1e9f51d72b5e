package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/prometheus/alerts.yml: every alert queries only the metrics contract, and failed cleanups page. */
class PrometheusRulesTest {

    private final JsonNode rules = DeployFiles.yaml("deploy/prometheus/alerts.yml");

    @Test
    void shouldAlertOnlyOnMetricsAndLabelsOfTheContract() {
        assertThat(alerts()).isNotEmpty().allSatisfy(alert -> {
            assertThat(alert.path("alert").asText()).isNotBlank();
            assertThat(PromQl.problems(alert.get("expr").asText())).as("%s: %s", alert.get("alert"), alert.get("expr")).isEmpty();
            assertThat(alert.at("/labels/severity").asText()).isNotBlank();
            assertThat(alert.at("/annotations/summary").asText()).isNotBlank();
        });
    }

    @Test
    void shouldPageOnCleanupFailuresOutstanding() {
        assertThat(alerts()).anySatisfy(alert -> {
            assertThat(PromQl.parse(alert.get("expr").asText()).metrics()).contains("pipeline_secrets_release_failures_outstanding");
            assertThat(alert.at("/labels/severity").asText()).isEqualTo("page");
        });
    }

    @Test
    void shouldBeLoadedByTheComposePrometheus() {
        JsonNode prometheus = DeployFiles.yaml("deploy/prometheus/prometheus.yml");
        List<String> mounts = new ArrayList<>();
        DeployFiles.yaml("docker-compose.yml").at("/services/prometheus/volumes").forEach(v -> mounts.add(v.asText()));

        assertThat(prometheus.get("rule_files")).isNotEmpty().allSatisfy(file ->
                assertThat(mounts).contains("./deploy/prometheus/alerts.yml:" + file.asText() + ":ro"));
    }

    private List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        rules.get("groups").forEach(group -> group.get("rules").forEach(alerts::add));
        return alerts;
    }
}
