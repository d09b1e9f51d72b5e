package io.pipelinesecrets.testing.aws;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads request members and enforces the model's constraints, answering {@code ValidationException} (constraint
 * broken) or {@code SerializationException} (wrong JSON type) as the real service does.
 */
final class Requests {

    static final int MAX_VALUE_BYTES = 65_536;
    static final int MAX_TAGS = 50;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
    /** Secrets Manager's rule for tag keys and values alike (letters, separators and digits of any script, _.:/=+-@). */
    static final String TAG_PATTERN = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";
    private static final Pattern TAG = Pattern.compile(TAG_PATTERN);

    private Requests() {
    }

    static String optionalText(JsonNode request, String member) {
        JsonNode node = request.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ServiceError.serialization(member + " must be a string");
        }
        return node.textValue();
    }

    static String requiredText(JsonNode request, String member) {
        String value = optionalText(request, member);
        if (value == null || value.isEmpty()) {
            throw ServiceError.validation("1 validation error detected: Value at '" + lowerFirst(member)
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    static Integer optionalInt(JsonNode request, String member) {
        JsonNode node = request.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw ServiceError.serialization(member + " must be an integer");
        }
        return node.intValue();
    }

    static int intInRange(JsonNode request, String member, int min, int max, int absent) {
        Integer value = optionalInt(request, member);
        if (value == null) {
            return absent;
        }
        if (value < min || value > max) {
            throw constraint(member, "Member must have value between " + min + " and " + max);
        }
        return value;
    }

    static boolean bool(JsonNode request, String member) {
        JsonNode node = request.get(member);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ServiceError.serialization(member + " must be a boolean");
        }
        return node.booleanValue();
    }

    static List<String> texts(JsonNode request, String member) {
        JsonNode node = request.get(member);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ServiceError.serialization(member + " must be a list");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw ServiceError.serialization(member + " must be a list of strings");
            }
            values.add(element.textValue());
        }
        return values;
    }

    static String secretId(JsonNode request) {
        String id = requiredText(request, "SecretId");
        return lengthWithin(id, "SecretId", 1, 2048);
    }

    static String name(JsonNode request) {
        String name = requiredText(request, "Name");
        if (!NAME.matcher(name).matches()) {
            throw constraint("Name", "Member must have length between 1 and 512 and satisfy regular expression "
                    + "pattern: ^[a-zA-Z0-9/_+=.@-]+$");
        }
        return name;
    }

    /** The request's ClientRequestToken, or a fresh one (the SDK always sends one; other clients may not). */
    static String clientRequestToken(JsonNode request) {
        String token = optionalText(request, "ClientRequestToken");
        return token == null ? UUID.randomUUID().toString() : lengthWithin(token, "ClientRequestToken", 32, 64);
    }

    /** SecretString or SecretBinary (base64 on the wire), at most one, at most 65,536 bytes; null if neither. */
    static SecretValue value(JsonNode request) {
        String text = optionalText(request, "SecretString");
        String binary = optionalText(request, "SecretBinary");
        if (text != null && binary != null) {
            throw ServiceError.invalidParameter("You can't specify both SecretString and SecretBinary.");
        }
        SecretValue value;
        if (text != null) {
            value = SecretValue.ofString(text);
        } else if (binary != null) {
            value = SecretValue.ofBytes(decodeBase64(binary));
        } else {
            return null;
        }
        if (value.sizeInBytes() > MAX_VALUE_BYTES) {
            // The size, never the value, goes into the message.
            throw constraint(text != null ? "SecretString" : "SecretBinary", "Member must have length less than or "
                    + "equal to " + MAX_VALUE_BYTES + " bytes (was " + value.sizeInBytes() + ")");
        }
        return value;
    }

    static String optionalTextUpTo(JsonNode request, String member, int maxLength) {
        String value = optionalText(request, member);
        return value == null ? null : lengthWithin(value, member, 0, maxLength);
    }

    /**
     * Tags as {@code [{"Key": k, "Value": v}]}: at most 50, key 1-128 characters, value 0-256, both matching
     * {@link #TAG_PATTERN} (the real service answers ValidationException otherwise). Order kept.
     */
    static Map<String, String> tags(JsonNode request) {
        JsonNode node = request.get("Tags");
        Map<String, String> tags = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return tags;
        }
        if (!node.isArray()) {
            throw ServiceError.serialization("Tags must be a list");
        }
        if (node.size() > MAX_TAGS) {
            throw constraint("Tags", "Member must have length less than or equal to " + MAX_TAGS
                    + " (was " + node.size() + ")");
        }
        for (JsonNode tag : node) {
            String key = tagText(lengthWithin(requiredText(tag, "Key"), "Tags.member.Key", 1, 128), "Tags.member.Key");
            String value = optionalText(tag, "Value");
            tags.put(key, value == null ? "" : tagText(lengthWithin(value, "Tags.member.Value", 0, 256), "Tags.member.Value"));
        }
        return tags;
    }

    private static String tagText(String text, String member) {
        if (!TAG.matcher(text).matches()) {
            throw constraint(member, "Member must satisfy regular expression pattern: " + TAG_PATTERN);
        }
        return text;
    }

    static String lengthWithin(String value, String member, int min, int max) {
        if (value.length() < min || value.length() > max) {
            throw constraint(member, "Member must have length between " + min + " and " + max);
        }
        return value;
    }

    static ServiceError constraint(String member, String constraint) {
        return ServiceError.validation("1 validation error detected: Value at '" + lowerFirst(member)
                + "' failed to satisfy constraint: " + constraint);
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ServiceError.serialization("SecretBinary is not valid base64");
        }
    }

    private static String lowerFirst(String member) {
        return Character.toLowerCase(member.charAt(0)) + member.substring(1);
    }
}
