package io.pipelinesecrets.lifecycle.deploy;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PromQL reading to say which metrics an expression selects and which labels it names: identifiers
 * outside label matchers, range brackets and strings, minus functions, aggregations and keywords. Also the metric
 * contract (contracts.md) that dashboards and alert rules may use.
 */
final class PromQl {

    /** The service's metrics with their labels, as contracts.md names them (Prometheus exposition names). */
    static final Map<String, Set<String>> CONTRACT = Map.ofEntries(
            Map.entry("pipeline_secrets_runs_provisioned_total", Set.of("backend")),
            Map.entry("pipeline_secrets_runs_released_total", Set.of("backend", "reason")),
            Map.entry("pipeline_secrets_runs_failed_total", Set.of("backend", "operation", "error_code")),
            Map.entry("pipeline_secrets_release_failures_outstanding", Set.of()),
            Map.entry("pipeline_secrets_secrets_created_total", Set.of("backend")),
            Map.entry("pipeline_secrets_secrets_deleted_total", Set.of("backend")),
            Map.entry("pipeline_secrets_orphans_deleted_total", Set.of("backend")),
            Map.entry("pipeline_secrets_audit_events_total", Set.of("action", "outcome")),
            Map.entry("pipeline_secrets_dead_letters_total", Set.of("topic", "code")),
            Map.entry("pipeline_secrets_backend_call_seconds_bucket", Set.of("backend", "operation", "outcome", "le")),
            Map.entry("pipeline_secrets_backend_call_seconds_count", Set.of("backend", "operation", "outcome")),
            Map.entry("pipeline_secrets_backend_call_seconds_sum", Set.of("backend", "operation", "outcome")),
            Map.entry("pipeline_secrets_backend_throttles_total", Set.of("backend")),
            Map.entry("pipeline_secrets_retry_queue_depth", Set.of()),
            Map.entry("pipeline_secrets_runs_in_flight", Set.of("phase")),
            Map.entry("pipeline_secrets_oldest_active_run_age_seconds", Set.of()));
    /** Families the contract names by prefix: Kafka Streams metrics bridged by Micrometer, JVM and process binders. */
    static final Set<String> CONTRACT_FAMILIES = Set.of("kafka_stream_", "jvm_", "process_");
    /** Labels Prometheus adds to every scraped series. */
    static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

    /** What an expression selects and names. */
    record Parsed(Set<String> metrics, Set<String> matcherLabels, Set<String> groupingLabels, int bareSelectors) {
    }

    private PromQl() {
    }

    static Parsed parse(String expr) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> matcherLabels = new TreeSet<>();
        Set<String> groupingLabels = new TreeSet<>();
        int bareSelectors = 0;
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '[') {
                i = expr.indexOf(']', i) + 1;
            } else if (c == '{') {
                int end = closing(expr, i);
                Matcher labels = MATCHER_LABEL.matcher(stripStrings(expr.substring(i + 1, end)));
                while (labels.find()) {
                    matcherLabels.add(labels.group(1));
                }
                if (!precededByIdentifier(expr, i)) {
                    bareSelectors++;
                }
                i = end + 1;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < expr.length() && Character.isDigit(expr.charAt(i + 1)))) {
                while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
                    i++; // a number, or a duration after offset
                }
            } else if (c == '$') {
                i++;
                while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_')) {
                    i++; // a dashboard variable
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_'
                        || expr.charAt(i) == ':')) {
                    i++;
                }
                String word = expr.substring(start, i);
                int next = skipSpace(expr, i);
                boolean call = next < expr.length() && expr.charAt(next) == '(';
                if (GROUPING.contains(word)) {
                    if (call) {
                        int end = expr.indexOf(')', next);
                        for (String label : expr.substring(next + 1, end).split(",")) {
                            if (!label.isBlank()) {
                                groupingLabels.add(label.strip());
                            }
                        }
                        i = end + 1;
                    }
                } else if (!call && !AGGREGATIONS.contains(word) && !KEYWORDS.contains(word)) {
                    metrics.add(word);
                }
            } else {
                i++;
            }
        }
        return new Parsed(metrics, matcherLabels, groupingLabels, bareSelectors);
    }

    /** Problems of an expression against the contract: unknown metrics, and labels no metric of it carries. */
    static Set<String> problems(String expr) {
        Parsed parsed = parse(expr);
        Set<String> problems = new TreeSet<>();
        if (parsed.metrics().isEmpty()) {
            problems.add("selects no metric");
        }
        if (parsed.bareSelectors() > 0) {
            problems.add("has a selector without a metric name");
        }
        Set<String> labels = new TreeSet<>(TARGET_LABELS);
        boolean family = false;
        for (String metric : parsed.metrics()) {
            if (CONTRACT.containsKey(metric)) {
                labels.addAll(CONTRACT.get(metric));
            } else if (CONTRACT_FAMILIES.stream().anyMatch(metric::startsWith)) {
                family = true; // their labels are the binders', not ours to list
            } else {
                problems.add("metric " + metric + " is not in the metrics contract");
            }
        }
        if (!family) {
            Set<String> named = new TreeSet<>(parsed.matcherLabels());
            named.addAll(parsed.groupingLabels());
            named.stream().filter(label -> !labels.contains(label))
                    .forEach(label -> problems.add("label " + label + " is on none of " + parsed.metrics()));
        }
        return problems;
    }

    private static int skipString(String text, int start) {
        char quote = text.charAt(start);
        int i = start + 1;
        while (i < text.length() && text.charAt(i) != quote) {
            i += text.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        return i + 1;
    }

    private static String stripStrings(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(text, i);
                out.append("\"\"");
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int closing(String text, int open) {
        int i = open + 1;
        while (i < text.length() && text.charAt(i) != '}') {
            char c = text.charAt(i);
            i = c == '"' || c == '\'' || c == '`' ? skipString(text, i) : i + 1;
        }
        return i;
    }

    private static boolean precededByIdentifier(String text, int index) {
        return index > 0 && (Character.isLetterOrDigit(text.charAt(index - 1)) || text.charAt(index - 1) == '_');
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
