package io.pipelinesecrets.lifecycle.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A setting given per compute environment: {@code <prefix><computeEnvId>.<setting>}, e.g.
 * {@code aws.compute-env.<id>.regions}. Each such key is read as a {@link Key} of its own (same type and rules,
 * so a problem names the key as written); the id is kept as written, since ids are case-sensitive.
 *
 * <p>In the environment the key is {@code PIPELINE_SECRETS_<PREFIX>_<id>_<SETTING>}, e.g.
 * {@code PIPELINE_SECRETS_AWS_COMPUTE_ENV_ce1_REGIONS}: the prefix and setting are upper-cased, the id is not, and
 * the setting is recognised from the end (an id with characters a variable name cannot carry goes in the file).
 *
 * <p>Unlike a global key, a per-compute-environment key that is present with an empty text is read, not ignored:
 * writing it at all says something about that compute environment (an empty binding is a problem to report).
 *
 * @param prefix      e.g. {@code aws.compute-env.}, ending in a dot
 * @param setting     e.g. {@code regions}
 * @param overrides   the global key it overrides for one compute environment, if any
 */
public record PerComputeEnv<T>(String prefix, String setting, ValueType<T> type, List<Rule<T>> rules,
                               Optional<Key<T>> overrides, String description) {

    public PerComputeEnv {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.endsWith(".")) {
            throw new IllegalArgumentException("prefix " + prefix + " must end in a dot");
        }
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(type, "type");
        rules = List.copyOf(rules);
        Objects.requireNonNull(overrides, "overrides");
        Objects.requireNonNull(description, "description");
    }

    public static <T> PerComputeEnv<T> of(String prefix, String setting, ValueType<T> type, String description) {
        return new PerComputeEnv<>(prefix, setting, type, List.of(), Optional.empty(), description);
    }

    /** The per-compute-environment form of a global key: same type and rules. */
    public static <T> PerComputeEnv<T> overriding(String prefix, String setting, Key<T> global, String description) {
        return new PerComputeEnv<>(prefix, setting, global.type(), global.rules(), Optional.of(global), description);
    }

    /** The name as the reference shows it: {@code aws.compute-env.<id>.regions}. */
    public String pattern() {
        return prefix + "<id>." + setting;
    }

    /** The key of one compute environment. */
    public Key<T> key(String computeEnvId) {
        return new Key<>(prefix + computeEnvId + "." + setting, type, "", description, rules, false, "", "");
    }

    /** The compute environment id of a properties key of this setting, or empty when the key is not one. */
    Optional<String> computeEnvIdOf(String key) {
        String suffix = "." + setting;
        if (key.startsWith(prefix) && key.endsWith(suffix) && key.length() > prefix.length() + suffix.length()) {
            return Optional.of(key.substring(prefix.length(), key.length() - suffix.length()));
        }
        return Optional.empty();
    }

    /** The properties key an environment variable of this setting sets, or empty when the variable is not one. */
    Optional<String> keyOfEnvironmentVariable(String variable) {
        String environmentPrefix = environmentPrefix();
        String environmentSuffix = "_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
        if (variable.startsWith(environmentPrefix) && variable.endsWith(environmentSuffix)
                && variable.length() > environmentPrefix.length() + environmentSuffix.length()) {
            String id = variable.substring(environmentPrefix.length(), variable.length() - environmentSuffix.length());
            return Optional.of(prefix + id + "." + setting);
        }
        return Optional.empty();
    }

    /** e.g. {@code PIPELINE_SECRETS_AWS_COMPUTE_ENV_}. */
    public String environmentPrefix() {
        return ConfigLoader.environmentName(prefix.substring(0, prefix.length() - 1)) + "_";
    }

    /** e.g. {@code PIPELINE_SECRETS_AWS_COMPUTE_ENV_<id>_REGIONS}. */
    public String environmentPattern() {
        return environmentPrefix() + "<id>_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String typeSummary() {
        return key("<id>").typeSummary();
    }
}
