package io.pipelinesecrets.lifecycle.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The texts given for the keys (file and environment already merged, values trimmed), read as typed values.
 * Every problem goes to one list and each key is read once, so a key used twice is reported once; a value that
 * has a problem reads as empty, and the loader throws before it builds anything from it.
 */
final class ConfigValues {

    private final Map<String, String> given;
    private final List<String> problems;
    private final Map<String, Optional<?>> read = new HashMap<>();

    ConfigValues(Map<String, String> given, List<String> problems) {
        this.given = given;
        this.problems = problems;
    }

    /** The text in effect: as given, else the default ("" = none). */
    String text(Key<?> key) {
        return given.getOrDefault(key.name(), key.defaultText());
    }

    /** Whether the key's text in effect is not empty. */
    boolean isSet(Key<?> key) {
        return !text(key).isEmpty();
    }

    /**
     * The value; empty when the key has no default and is unset or empty (then a problem if it is required), or
     * when its text is invalid (a problem).
     */
    <T> Optional<T> find(Key<T> key) {
        @SuppressWarnings("unchecked")
        Optional<T> value = (Optional<T>) read.computeIfAbsent(key.name(), name -> readNow(key));
        return value;
    }

    /** The value of a key with a default; null only when its text is invalid, which is a problem already reported. */
    <T> T get(Key<T> key) {
        if (!key.hasDefault()) {
            throw new IllegalArgumentException(key.name() + " has no default: use find");
        }
        return find(key).orElse(null);
    }

    /**
     * Every compute environment's value of a per-compute-environment setting, by id. A key that is present is
     * read even when its text is empty.
     */
    <T> Map<String, T> perComputeEnv(PerComputeEnv<T> setting) {
        Map<String, T> byId = new TreeMap<>();
        given.keySet().forEach(name -> setting.computeEnvIdOf(name).ifPresent(id -> {
            Key<T> key = setting.key(id);
            @SuppressWarnings("unchecked")
            Optional<T> value = (Optional<T>) read.computeIfAbsent(key.name(), n -> key.read(given.get(n), problems));
            value.ifPresent(v -> byId.put(id, v));
        }));
        return byId;
    }

    void problem(String problem) {
        problems.add(problem);
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    List<String> problems() {
        return problems;
    }

    private <T> Optional<T> readNow(Key<T> key) {
        String text = text(key);
        if (text.isEmpty() && !key.hasDefault()) {
            if (key.isRequired()) {
                problems.add(key.name() + " is required: set it to " + key.required() + " (or " + key.environmentName()
                        + ")");
            }
            return Optional.empty();
        }
        return key.read(text, problems);
    }
}
