package io.pipelinesecrets.testing.gcp;

import io.grpc.Status;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The subset of Secret Manager's list filter the backends use: {@code labels.<key>=<value>} terms joined by
 * {@code AND} or spaces, all of which must hold. Anything else is refused, so a test notices a filter the double
 * would silently ignore.
 */
final class LabelFilter {

    private LabelFilter() {
    }

    static Map<String, String> parse(String filter) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (filter == null || filter.isBlank()) {
            return labels;
        }
        for (String term : filter.trim().split("\\s+")) {
            if (term.equals("AND")) {
                continue;
            }
            int eq = term.indexOf('=');
            if (!term.startsWith("labels.") || eq < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("the double filters by labels.<key>=<value> only, not "
                        + term).asRuntimeException();
            }
            labels.put(term.substring("labels.".length(), eq), term.substring(eq + 1));
        }
        return labels;
    }
}
