package io.pipelinesecrets.testing.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Renders snapshots in the JSON 1.1 shapes the SDK unmarshals. Timestamps are epoch seconds (numbers). */
final class Responses {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Responses() {
    }

    static ObjectNode object() {
        return JSON.objectNode();
    }

    static ObjectNode error(String code, String message) {
        return object().put("__type", code).put("Message", message);
    }

    static ObjectNode identity(String arn, String name) {
        return object().put("ARN", arn).put("Name", name);
    }

    static ObjectNode describe(SecretSnapshot secret) {
        ObjectNode node = summary(secret);
        node.set("VersionIdsToStages", stagesByVersion(secret));
        return node;
    }

    static ObjectNode listEntry(SecretSnapshot secret) {
        ObjectNode node = summary(secret);
        node.set("SecretVersionsToStages", stagesByVersion(secret));
        return node;
    }

    /** GetSecretValue's response and BatchGetSecretValue's SecretValues entries share this shape. */
    static ObjectNode value(SecretSnapshot secret, SecretVersion version) {
        ObjectNode node = identity(secret.arn(), secret.name()).put("VersionId", version.versionId());
        SecretValue value = version.value();
        if (value.isString()) {
            node.put("SecretString", value.asString());
        } else {
            node.put("SecretBinary", Base64.getEncoder().encodeToString(value.asBytes()));
        }
        node.set("VersionStages", strings(version.stages()));
        node.put("CreatedDate", epochSeconds(version.createdDate()));
        return node;
    }

    static ArrayNode array() {
        return JSON.arrayNode();
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode array = JSON.arrayNode();
        values.forEach(array::add);
        return array;
    }

    static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    private static ObjectNode summary(SecretSnapshot secret) {
        ObjectNode node = identity(secret.arn(), secret.name());
        if (secret.description() != null) {
            node.put("Description", secret.description());
        }
        if (secret.kmsKeyId() != null) {
            node.put("KmsKeyId", secret.kmsKeyId());
        }
        node.put("CreatedDate", epochSeconds(secret.createdDate()));
        node.put("LastChangedDate", epochSeconds(secret.lastChangedDate()));
        if (secret.deletedDate() != null) {
            node.put("DeletedDate", epochSeconds(secret.deletedDate()));
        }
        if (!secret.tags().isEmpty()) {
            node.set("Tags", tags(secret.tags()));
        }
        return node;
    }

    private static ArrayNode tags(Map<String, String> tags) {
        ArrayNode array = JSON.arrayNode();
        tags.forEach((key, value) -> array.addObject().put("Key", key).put("Value", value));
        return array;
    }

    private static ObjectNode stagesByVersion(SecretSnapshot secret) {
        ObjectNode node = JSON.objectNode();
        secret.versionIdsToStages().forEach((id, stages) -> node.set(id, strings(stages)));
        return node;
    }
}
