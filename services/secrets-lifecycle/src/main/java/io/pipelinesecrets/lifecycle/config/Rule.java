package io.pipelinesecrets.lifecycle.config;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A condition a parsed value must meet.
 *
 * @param holds   whether a value meets it
 * @param summary how the configuration reference shows it, e.g. {@code > 0}
 * @param problem what follows {@code key=text} when a value does not meet it, saying what to do
 */
public record Rule<T>(Predicate<T> holds, String summary, String problem) {

    public Rule {
        Objects.requireNonNull(holds, "holds");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(problem, "problem");
    }

    public static Rule<Duration> positiveDuration() {
        return new Rule<>(value -> !value.isNegative() && !value.isZero(), "> 0", "must be longer than zero");
    }

    public static Rule<Duration> nonNegativeDuration() {
        return new Rule<>(value -> !value.isNegative(), ">= 0", "must not be negative");
    }

    public static Rule<Integer> atLeast(int minimum) {
        return new Rule<>(value -> value >= minimum, ">= " + minimum, "must be at least " + minimum);
    }

    public static Rule<Double> positiveNumber() {
        return new Rule<>(value -> value > 0 && Double.isFinite(value), "> 0", "must be above zero");
    }

    public static Rule<Integer> port() {
        return new Rule<>(value -> value >= 0 && value <= 65535, "0-65535", "is not a port number; use 0-65535");
    }
}
