package io.pipelinesecrets.lifecycle.run;

/** The last error a run's backend calls (or its launch's checks) reported: a code and a message, never a value. */
public record RunError(String code, String message) {
}
