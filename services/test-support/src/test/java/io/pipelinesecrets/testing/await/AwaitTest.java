package io.pipelinesecrets.testing.await;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwaitTest {

    private static final Duration SHORT = Duration.ofMillis(200);

    @Test
    void shouldReturnTheFirstValueThatSatisfiesTheCondition() {
        AtomicInteger counter = new AtomicInteger();

        int seen = Await.atMost(Duration.ofSeconds(5)).every(Duration.ZERO)
                .until("the counter at 3", counter::incrementAndGet, n -> n >= 3);

        assertThat(seen).isEqualTo(3);
    }

    @Test
    void shouldSayWhatWasAwaitedAndWhatWasLastSeenOnTimeout() {
        AtomicInteger counter = new AtomicInteger();

        assertThatThrownBy(() -> Await.atMost(SHORT).every(Duration.ofMillis(10))
                .until("the counter at -1", counter::incrementAndGet, n -> n < 0, n -> "counter " + n))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected the counter at -1 within PT0.2S (")
                .hasMessageEndingWith("; last observed: counter " + counter.get());
        assertThat(counter.get()).as("probes over 200 ms at 10 ms").isGreaterThan(2);
    }

    @Test
    void shouldProbeOnceEvenWithAZeroTimeout() {
        AtomicInteger probes = new AtomicInteger();

        Await.atMost(Duration.ZERO).until("a probe", () -> probes.incrementAndGet() == 1);
        assertThatThrownBy(() -> Await.atMost(Duration.ZERO).until("never", () -> probes.incrementAndGet() < 0))
                .hasMessageContaining("(1 probes");
        assertThat(probes.get()).isEqualTo(2);
    }

    @Test
    void shouldTreatAnIgnoredFailureAsNotYetAndReportTheLastOneAsCause() {
        AtomicInteger attempts = new AtomicInteger();

        String answer = Await.atMost(Duration.ofSeconds(5)).every(Duration.ZERO).ignoring(IOException.class)
                .until("an answer", () -> {
                    if (attempts.incrementAndGet() < 3) {
                        throw new IOException("refused " + attempts.get());
                    }
                    return "200";
                }, "200"::equals);
        assertThat(answer).isEqualTo("200");

        assertThatThrownBy(() -> Await.atMost(SHORT).ignoring(IOException.class).until("an answer", () -> {
            throw new IOException("refused");
        }, x -> true))
                .isInstanceOf(AssertionError.class)
                .hasMessageEndingWith("last observed: the probe failed: java.io.IOException: refused")
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void shouldEndTheWaitOnAFailureItDoesNotIgnore() {
        AtomicInteger probes = new AtomicInteger();

        assertThatThrownBy(() -> Await.atMost(Duration.ofSeconds(30)).until("the process up", () -> {
            probes.incrementAndGet();
            throw new IllegalStateException("the process exited with 1");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the process exited with 1");
        assertThatThrownBy(() -> Await.atMost(Duration.ofSeconds(30)).until("an answer", () -> {
            probes.incrementAndGet();
            throw new IOException("no route");
        })).isInstanceOf(IllegalStateException.class).hasMessage("probing for an answer failed")
                .hasCauseInstanceOf(IOException.class);
        assertThat(probes.get()).isEqualTo(2);
    }

    @Test
    void shouldRestoreTheInterruptFlagWhenInterrupted() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Await.atMost(Duration.ofSeconds(30)).until("never", () -> false))
                    .isInstanceOf(IllegalStateException.class).hasMessage("interrupted while waiting for never");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
