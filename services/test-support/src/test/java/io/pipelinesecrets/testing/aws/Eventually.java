package io.pipelinesecrets.testing.aws;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a probe until its result satisfies a condition, or fails saying what was expected and last seen. */
final class Eventually {

    private static final Duration POLL = Duration.ofMillis(25);

    private Eventually() {
    }

    static <T> T await(String expectation, Duration timeout, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = probe.get();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + expectation + " within " + timeout + " but last saw: " + seen);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + expectation, e);
            }
        }
    }
}
