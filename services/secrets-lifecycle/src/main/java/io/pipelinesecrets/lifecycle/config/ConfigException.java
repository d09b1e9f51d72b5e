package io.pipelinesecrets.lifecycle.config;

import io.pipelinesecrets.contracts.PipelineSecretsException;

import java.util.List;

/** The configuration cannot be used. Holds every problem found, one line each, naming the key and the fix. */
public final class ConfigException extends PipelineSecretsException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
