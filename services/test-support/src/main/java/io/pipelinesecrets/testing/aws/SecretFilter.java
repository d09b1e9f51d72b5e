package io.pipelinesecrets.testing.aws;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One ListSecrets / BatchGetSecretValue filter. Values are prefix matches; {@code name}, {@code tag-key} and
 * {@code tag-value} are case-sensitive, {@code description} and {@code all} are not; {@code all} splits the value
 * into words and needs each word to prefix-match the name, the description or a tag key or value. A value
 * starting with '!' negates. Within a filter a secret must match one plain value (if any) and no negated one;
 * several filters must all match. {@code primary-region} and {@code owning-service} are accepted, and match
 * nothing, since the double has neither replicas nor managed secrets.
 */
record SecretFilter(String key, List<String> values) {

    static final int MAX_FILTERS = 10;
    private static final Set<String> KEYS =
            Set.of("description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all");
    private static final Pattern VALUE = Pattern.compile("!?[a-zA-Z0-9 :_@/+=.\\-!]*");

    /** Parses and validates {@code Filters}; an absent member means no filters. */
    static List<SecretFilter> parse(JsonNode request) {
        JsonNode node = request.get("Filters");
        List<SecretFilter> filters = new ArrayList<>();
        if (node == null || node.isNull()) {
            return filters;
        }
        if (!node.isArray()) {
            throw ServiceError.serialization("Filters must be a list");
        }
        if (node.size() > MAX_FILTERS) {
            throw Requests.constraint("Filters", "Member must have length less than or equal to " + MAX_FILTERS);
        }
        for (JsonNode filter : node) {
            String key = Requests.requiredText(filter, "Key");
            if (!KEYS.contains(key)) {
                throw Requests.constraint("Filters.member.Key", "Member must satisfy enum value set: " + KEYS);
            }
            List<String> values = Requests.texts(filter, "Values");
            if (values.isEmpty() || values.size() > 10) {
                throw Requests.constraint("Filters.member.Values", "Member must have length between 1 and 10");
            }
            for (String value : values) {
                if (value.length() > 512 || !VALUE.matcher(value).matches()) {
                    throw Requests.constraint("Filters.member.Values.member", "Member must have length less than or "
                            + "equal to 512 and satisfy regular expression pattern: " + VALUE.pattern());
                }
            }
            filters.add(new SecretFilter(key, List.copyOf(values)));
        }
        return filters;
    }

    static boolean matchesAll(List<SecretFilter> filters, SecretSnapshot secret) {
        return filters.stream().allMatch(f -> f.matches(secret));
    }

    boolean matches(SecretSnapshot secret) {
        boolean anyPlain = false;
        boolean plainMatched = false;
        for (String value : values) {
            if (value.startsWith("!")) {
                if (matchesValue(secret, value.substring(1))) {
                    return false;
                }
            } else {
                anyPlain = true;
                plainMatched |= matchesValue(secret, value);
            }
        }
        return !anyPlain || plainMatched;
    }

    private boolean matchesValue(SecretSnapshot secret, String prefix) {
        return switch (key) {
            case "name" -> secret.name().startsWith(prefix);
            case "tag-key" -> secret.tags().keySet().stream().anyMatch(k -> k.startsWith(prefix));
            case "tag-value" -> secret.tags().values().stream().anyMatch(v -> v.startsWith(prefix));
            case "description" -> secret.description() != null && startsWithIgnoringCase(secret.description(), prefix);
            case "all" -> Stream.of(prefix.trim().split("\\s+")).filter(w -> !w.isEmpty())
                    .allMatch(word -> attributes(secret).anyMatch(a -> startsWithIgnoringCase(a, word)));
            default -> false;
        };
    }

    private static Stream<String> attributes(SecretSnapshot secret) {
        return Stream.of(Stream.of(secret.name(), secret.description()), secret.tags().keySet().stream(),
                        secret.tags().values().stream())
                .flatMap(s -> s)
                .filter(Objects::nonNull);
    }

    private static boolean startsWithIgnoringCase(String text, String prefix) {
        return text.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT));
    }
}
