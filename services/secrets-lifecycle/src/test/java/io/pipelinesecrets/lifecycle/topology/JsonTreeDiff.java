package io.pipelinesecrets.lifecycle.topology;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Where two JSON trees differ, as JSON-pointer paths: a failed format test says which property moved. */
final class JsonTreeDiff {

    private JsonTreeDiff() {
    }

    static List<String> between(JsonNode expected, JsonNode actual) {
        List<String> differences = new ArrayList<>();
        compare("", expected, actual, differences);
        return differences;
    }

    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.isObject() && actual.isObject()) {
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                JsonNode other = actual.get(field.getKey());
                if (other == null) {
                    differences.add(path + "/" + field.getKey() + ": missing (expected " + field.getValue() + ")");
                } else {
                    compare(path + "/" + field.getKey(), field.getValue(), other, differences);
                }
            }
            for (Map.Entry<String, JsonNode> field : actual.properties()) {
                if (!expected.has(field.getKey())) {
                    differences.add(path + "/" + field.getKey() + ": unexpected (" + field.getValue() + ")");
                }
            }
        } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) {
                compare(path + "/" + i, expected.get(i), actual.get(i), differences);
            }
        } else if (!expected.equals(actual)) {
            differences.add((path.isEmpty() ? "/" : path) + ": expected " + expected + " but was " + actual);
        }
    }
}
