package io.pipelinesecrets.lifecycle.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The service's IAM policy, deploy/iam/pipeline-secrets-service.json, as the deploy tests read it. */
final class ServicePolicy {

    static final String FILE = "deploy/iam/pipeline-secrets-service.json";

    private ServicePolicy() {
    }

    static JsonNode json() {
        return DeployFiles.json(DeployFiles.path(FILE));
    }

    /**
     * Every value a condition compares a {@code managed-by} tag with (request or resource tag, any operator but
     * {@code Null}, which only says whether the tag exists): each must be the deployment's {@code instance.id}.
     */
    static List<String> managedByValues() {
        List<String> values = new ArrayList<>();
        json().get("Statement").forEach(statement -> statement.path("Condition").properties().forEach(operator -> {
            if (operator.getKey().equals("Null")) {
                return;
            }
            operator.getValue().properties().forEach(condition -> {
                if (condition.getKey().matches("aws:(Request|Resource)Tag/managed-by")) {
                    JsonNode value = condition.getValue();
                    if (value.isArray()) {
                        value.forEach(v -> values.add(v.asText()));
                    } else {
                        values.add(value.asText());
                    }
                }
            });
        }));
        return values;
    }
}
