package io.pipelinesecrets.lifecycle.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RunTimersTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private final RunTimers<String> timers = new RunTimers<>();

    @Test
    void shouldHandOutOnlyTheTimersDueAtOrBeforeNowEarliestFirst() {
        timers.schedule("run-late", T0.plusSeconds(30), "late");
        timers.schedule("run-early", T0.plusSeconds(10), "early");
        timers.schedule("run-exact", T0.plusSeconds(20), "exact");

        assertThat(timers.due(T0.plusSeconds(20))).extracting(RunTimers.Timer::runId)
                .containsExactly("run-early", "run-exact");
        assertThat(timers.due(T0.plusSeconds(20))).as("each timer once").isEmpty();
        assertThat(timers.due(T0.plusSeconds(30))).singleElement()
                .satisfies(timer -> {
                    assertThat(timer.runId()).isEqualTo("run-late");
                    assertThat(timer.at()).isEqualTo(T0.plusSeconds(30));
                    assertThat(timer.payload()).isEqualTo("late");
                });
        assertThat(timers.isEmpty()).isTrue();
    }

    @Test
    void shouldHandOutTimersDueAtTheSameInstantInTheOrderTheyWereScheduled() {
        timers.schedule("run-c", T0);
        timers.schedule("run-a", T0);
        timers.schedule("run-b", T0);

        assertThat(timers.due(T0)).extracting(RunTimers.Timer::runId).containsExactly("run-c", "run-a", "run-b");
    }

    @Test
    void shouldNeverHandOutACancelledTimer() {
        timers.schedule("run-1", T0, "one");
        timers.schedule("run-2", T0, "two");

        assertThat(timers.cancel("run-1")).isTrue();
        assertThat(timers.cancel("run-1")).as("already cancelled").isFalse();
        assertThat(timers.cancel("run-unknown")).isFalse();

        assertThat(timers.isScheduled("run-1")).isFalse();
        assertThat(timers.due(T0.plusSeconds(60))).extracting(RunTimers.Timer::runId).containsExactly("run-2");
    }

    @Test
    void shouldKeepOneTimerPerRunAndMoveItWhenRescheduled() {
        timers.schedule("run-1", T0.plusSeconds(5), "first");
        timers.schedule("run-2", T0.plusSeconds(10), "other");

        assertThat(timers.schedule("run-1", T0.plusSeconds(15), "second")).contains("first");

        assertThat(timers.size()).isEqualTo(2);
        assertThat(timers.get("run-1")).hasValueSatisfying(timer -> {
            assertThat(timer.at()).isEqualTo(T0.plusSeconds(15));
            assertThat(timer.payload()).isEqualTo("second");
        });
        assertThat(timers.due(T0.plusSeconds(5))).as("no longer due at its old time").isEmpty();
        assertThat(timers.due(T0.plusSeconds(15))).extracting(RunTimers.Timer::payload).containsExactly("other", "second");
    }

    @Test
    void shouldMoveATimerRescheduledEarlierAheadOfTheOthers() {
        timers.schedule("run-1", T0.plusSeconds(20));
        timers.schedule("run-2", T0.plusSeconds(10));
        timers.schedule("run-1", T0.plusSeconds(1));

        assertThat(timers.due(T0.plusSeconds(20))).extracting(RunTimers.Timer::runId).containsExactly("run-1", "run-2");
    }

    @Test
    void shouldLeaveATimerScheduledWhileTheDueOnesAreHandledForTheNextLook() {
        timers.schedule("run-1", T0);
        List<RunTimers.Timer<String>> due = timers.due(T0);
        // What handling a due retry does when the run fails again at once: a new timer, due already.
        due.forEach(timer -> timers.schedule(timer.runId(), T0));

        assertThat(due).hasSize(1);
        assertThat(timers.isScheduled("run-1")).isTrue();
        assertThat(timers.due(T0)).extracting(RunTimers.Timer::runId).containsExactly("run-1");
    }

    @Test
    void shouldHandOutManyTimersInDueOrderWhateverTheOrderTheyWereScheduledIn() {
        int count = 10_000;
        // Scheduled in a scrambled order: timer i is due i milliseconds after T0.
        IntStream.range(0, count).map(i -> (int) ((i * 7_919L) % count))
                .forEach(i -> timers.schedule("run-" + i, T0.plusMillis(i), "payload-" + i));
        IntStream.range(0, count).filter(i -> i % 3 == 0).forEach(i -> timers.cancel("run-" + i));

        List<RunTimers.Timer<String>> firstHalf = timers.due(T0.plusMillis(count / 2 - 1));
        List<RunTimers.Timer<String>> rest = timers.due(T0.plus(Duration.ofDays(1)));

        List<String> expectedFirst = IntStream.range(0, count / 2).filter(i -> i % 3 != 0)
                .mapToObj(i -> "run-" + i).toList();
        List<String> expectedRest = IntStream.range(count / 2, count).filter(i -> i % 3 != 0)
                .mapToObj(i -> "run-" + i).toList();
        assertThat(firstHalf).extracting(RunTimers.Timer::runId).containsExactlyElementsOf(expectedFirst);
        assertThat(rest).extracting(RunTimers.Timer::runId).containsExactlyElementsOf(expectedRest);
        assertThat(timers.isEmpty()).isTrue();
    }

    @Test
    void shouldHandBackEveryPayloadWhenAllAreCancelled() {
        timers.schedule("run-2", T0.plusSeconds(2), "two");
        timers.schedule("run-1", T0.plusSeconds(1), "one");
        timers.schedule("run-3", T0.plusSeconds(3));

        assertThat(timers.cancelAll()).as("earliest first, no payload left out but the missing one")
                .containsExactly("one", "two");
        assertThat(timers.isEmpty()).isTrue();
        assertThat(timers.due(T0.plus(Duration.ofDays(1)))).isEmpty();
    }

    @Test
    void shouldBeDueAtEveryLookWhenScheduledAtTheStartOfTime() {
        timers.schedule("run-awaiting", Instant.MIN);

        assertThat(timers.due(Instant.EPOCH)).extracting(RunTimers.Timer::runId).containsExactly("run-awaiting");
    }
}
