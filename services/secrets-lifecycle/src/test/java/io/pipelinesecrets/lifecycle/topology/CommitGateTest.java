package io.pipelinesecrets.lifecycle.topology;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class CommitGateTest {

    @Test
    void shouldMakeTheCallsOfACommittedTransactionOnlyOnceItCommitted() {
        CommitGate gate = CommitGate.afterCommit();
        List<String> made = new ArrayList<>();

        gate.submit(() -> made.add("provision run-1"));
        gate.submit(() -> made.add("release run-2"));
        assertThat(made).isEmpty();

        gate.committed();
        assertThat(made).containsExactly("provision run-1", "release run-2");

        gate.committed();
        assertThat(made).as("each call once").hasSize(2);
    }

    @Test
    void shouldNeverMakeTheCallsOfAnAbortedTransaction() {
        CommitGate gate = CommitGate.afterCommit();
        List<String> made = new ArrayList<>();

        gate.submit(() -> made.add("provision run-1"));
        gate.aborted();
        gate.submit(() -> made.add("provision run-1 again"));
        gate.committed();

        assertThat(made).containsExactly("provision run-1 again");
    }

    @Test
    void shouldKeepEachStreamThreadsCallsForItsOwnTransaction() throws Exception {
        CommitGate gate = CommitGate.afterCommit();
        List<String> made = new CopyOnWriteArrayList<>();
        gate.submit(() -> made.add("decided on this thread"));

        Thread other = new Thread(() -> {
            gate.submit(() -> made.add("decided on the other thread"));
            gate.committed();
        });
        other.start();
        other.join();

        assertThat(made).containsExactly("decided on the other thread");
        gate.committed();
        assertThat(made).containsExactly("decided on the other thread", "decided on this thread");
    }

    @Test
    void shouldMakeCallsAtOnceWithoutTransactions() {
        CommitGate gate = CommitGate.open();
        List<String> made = new ArrayList<>();

        gate.submit(() -> made.add("provision run-1"));

        assertThat(made).containsExactly("provision run-1");
    }

    @Test
    void shouldMakeTheOtherCallsWhenOneCannotStart() {
        CommitGate gate = CommitGate.afterCommit();
        List<String> made = new ArrayList<>();
        gate.submit(() -> {
            throw new IllegalStateException("backend gone");
        });
        gate.submit(() -> made.add("release run-2"));

        gate.committed();

        assertThat(made).containsExactly("release run-2");
    }
}
