package io.pipelinesecrets.testing.aws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Opaque NextToken pagination over a list sorted by a unique key (the secret name): the token encodes the last key
 * returned, so a page stays stable when secrets are added or removed between calls.
 */
final class Pages {

    record Page<T>(List<T> items, String nextToken) {
    }

    private static final String PREFIX = "after:";

    private Pages() {
    }

    static <T> Page<T> page(List<T> sorted, Function<T, String> key, String nextToken, int maxResults) {
        String after = nextToken == null ? null : decode(nextToken);
        List<T> remaining = after == null ? sorted
                : sorted.stream().filter(item -> key.apply(item).compareTo(after) > 0).toList();
        if (remaining.size() <= maxResults) {
            return new Page<>(remaining, null);
        }
        List<T> items = remaining.subList(0, maxResults);
        return new Page<>(items, encode(key.apply(items.get(items.size() - 1))));
    }

    private static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(PREFIX)) {
                return text.substring(PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // fall through: not one of ours
        }
        throw ServiceError.badRequest("InvalidNextTokenException", "The NextToken value is invalid.");
    }
}
