package io.pipelinesecrets.lifecycle.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One setting the service reads: its name, how its text is parsed and checked, its default and what it means.
 * {@link ServiceKeys} declares every one; {@link ConfigLoader} reads them and {@link ConfigurationReference}
 * documents them, so that the reference cannot drift from what is read.
 *
 * @param name            {@code a.b-c}, also settable as {@code PIPELINE_SECRETS_A_B_C}
 * @param defaultText     the text used when the setting is not given; "" = no default: unset, or an empty text,
 *                        means the setting is off (or, for a {@linkplain #required required} key, a problem)
 * @param description     one line for the configuration reference (Markdown)
 * @param rules           checked in order on the parsed value; the first one it fails is the problem reported
 * @param secret          a credential: its text is never quoted in a problem
 * @param required        "" = optional; else what to set it to, for the problem when it is missing
 * @param environmentOnly "" = the properties file may set it; else where to put it instead, for the problem when
 *                        the file sets it (the file is a ConfigMap or a file in git)
 */
public record Key<T>(String name, ValueType<T> type, String defaultText, String description, List<Rule<T>> rules,
                     boolean secret, String required, String environmentOnly) {

    public Key {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultText, "defaultText");
        Objects.requireNonNull(description, "description");
        rules = List.copyOf(rules);
        Objects.requireNonNull(required, "required");
        Objects.requireNonNull(environmentOnly, "environmentOnly");
    }

    /** An optional key with no default. */
    public static <T> Key<T> of(String name, ValueType<T> type, String description) {
        return new Key<>(name, type, "", description, List.of(), false, "", "");
    }

    /** An optional key with a default. */
    public static <T> Key<T> of(String name, ValueType<T> type, String defaultText, String description) {
        return new Key<>(name, type, defaultText, description, List.of(), false, "", "");
    }

    public Key<T> rule(Rule<T> rule) {
        List<Rule<T>> more = new ArrayList<>(rules);
        more.add(rule);
        return new Key<>(name, type, defaultText, description, more, secret, required, environmentOnly);
    }

    public Key<T> asSecret() {
        return new Key<>(name, type, defaultText, description, rules, true, required, environmentOnly);
    }

    /** @param what what to set it to, e.g. "host:port of your Kafka brokers" */
    public Key<T> requiredAs(String what) {
        return new Key<>(name, type, defaultText, description, rules, secret, what, environmentOnly);
    }

    /** @param instead where to put it instead of the properties file */
    public Key<T> fromEnvironmentOnly(String instead) {
        return new Key<>(name, type, defaultText, description, rules, secret, required, instead);
    }

    public boolean hasDefault() {
        return !defaultText.isEmpty();
    }

    public boolean isRequired() {
        return !required.isEmpty();
    }

    public boolean isEnvironmentOnly() {
        return !environmentOnly.isEmpty();
    }

    public String environmentName() {
        return ConfigLoader.environmentName(name);
    }

    /** The default as a value; empty when the key has none. */
    public Optional<T> defaultValue() {
        return hasDefault() ? Optional.of(type.parse(defaultText)) : Optional.empty();
    }

    /** The type and its rules as the reference shows them, e.g. {@code duration, > 0}. */
    public String typeSummary() {
        return rules.isEmpty() ? type.name()
                : type.name() + ", " + rules.stream().map(Rule::summary).collect(Collectors.joining(", "));
    }

    /**
     * The value of a text, or empty with the problem added: {@code key=text} (never the text of a secret), then
     * what is wrong and what to use.
     */
    Optional<T> read(String text, List<String> problems) {
        String shown = secret ? name + " (value not shown)" : name + "=" + text;
        T value;
        try {
            value = type.parse(text);
        } catch (RuntimeException refused) {
            String accepted = rules.isEmpty() ? ""
                    : " (" + rules.stream().map(Rule::summary).collect(Collectors.joining(", ")) + ")";
            problems.add(shown + " " + type.refusal() + accepted);
            return Optional.empty();
        }
        for (Rule<T> rule : rules) {
            if (!rule.holds().test(value)) {
                problems.add(shown + " " + rule.problem());
                return Optional.empty();
            }
        }
        return Optional.of(value);
    }
}
