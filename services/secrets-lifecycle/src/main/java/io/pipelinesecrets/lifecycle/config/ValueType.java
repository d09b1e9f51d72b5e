package io.pipelinesecrets.lifecycle.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * How the text of a setting becomes a value: the parser, the name the configuration reference shows, and the
 * accepted forms a refusal names.
 *
 * @param name     as the reference shows it, e.g. {@code duration}
 * @param parser   throws a {@link RuntimeException} (usually {@link IllegalArgumentException}) for a text it refuses
 * @param refusal  what follows {@code key=text} when the parser refuses, naming the accepted forms
 */
public record ValueType<T>(String name, Function<String, T> parser, String refusal) {

    public static final ValueType<String> STRING = new ValueType<>("string", text -> text, "is not valid");
    public static final ValueType<Integer> INT = new ValueType<>("integer", Integer::valueOf,
            "is not valid; use a whole number");
    public static final ValueType<Double> NUMBER = new ValueType<>("number", Double::valueOf,
            "is not valid; use a number, e.g. 40");
    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("boolean", ValueType::parseBoolean,
            "must be true or false");
    public static final ValueType<Duration> DURATION = new ValueType<>("duration", ValueType::parseDuration,
            "is not valid; use a duration such as PT30S, 500ms, 10s, 5m, 24h");
    public static final ValueType<Path> PATH = new ValueType<>("path", Path::of, "is not valid; use a file system path");
    public static final ValueType<URI> URI_TYPE = new ValueType<>("URI", ValueType::parseUri,
            "is not valid; use a URI such as http://localhost:4566");
    /** Comma-separated; entries trimmed, blank entries dropped. */
    public static final ValueType<List<String>> LIST = new ValueType<>("list", ValueType::parseList, "is not valid");
    /** Comma-separated paths; entries trimmed, blank entries dropped. */
    public static final ValueType<List<Path>> PATH_LIST = new ValueType<>("list of paths",
            text -> parseList(text).stream().map(Path::of).toList(), "is not valid; use comma-separated paths");

    public ValueType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(refusal, "refusal");
    }

    T parse(String text) {
        return Objects.requireNonNull(parser.apply(text), "parsed value");
    }

    /**
     * ISO-8601 ({@code PT30S}, {@code P1D}, either case) or a whole number with a unit: {@code ms}, {@code s},
     * {@code m}, {@code h}, {@code d}.
     *
     * @throws IllegalArgumentException or {@link ArithmeticException} for a text that is not a duration
     */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e);
        }
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}, {"d", "86400000"}};
        for (String[] unit : units) {
            if (value.endsWith(unit[0]) && value.length() > unit[0].length()
                    && Character.isDigit(value.charAt(value.length() - unit[0].length() - 1))) {
                long amount = Long.parseLong(value.substring(0, value.length() - unit[0].length()));
                return Duration.ofMillis(Math.multiplyExact(amount, Long.parseLong(unit[1])));
            }
        }
        throw new IllegalArgumentException("not a duration: " + text);
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static URI parseUri(String text) {
        URI uri = URI.create(text);
        // A scheme-less text parses as a relative URI, which no client can connect to.
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute URI");
        }
        return uri;
    }

    private static List<String> parseList(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
