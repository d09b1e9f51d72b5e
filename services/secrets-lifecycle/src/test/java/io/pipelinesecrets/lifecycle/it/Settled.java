package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.testing.await.Await;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * "Settled": the service will write nothing more to the audit topic unless the test sends it something, and the
 * {@link AuditObserver} has read everything it wrote. All of these at once:
 * <ol>
 *   <li>the service reports nothing in flight ({@link Activity}): no run provisioning, releasing, rolling back or
 *       awaiting secrets, no backend call outstanding (those are what timers and call results still act on);</li>
 *   <li>the lifecycle application's consumer group has committed up to the end of its input topics: nothing
 *       unread, nothing processed but uncommitted (which, after a crash, would be processed again);</li>
 *   <li>no open transaction on the audit topic: its last stable offset (read_committed end) equals its high
 *       watermark, so nothing written is still to be committed or aborted;</li>
 *   <li>the observer's lag against the audit topic's read_committed end offsets is 0.</li>
 * </ol>
 * Then it must stay so for {@link #QUIET} with the audit topic's end offsets unchanged. Why the short quiet
 * window: the store the service reports from is updated when a call result is applied, a moment before the audit
 * records that go with it reach the broker (they sit in the producer's buffer until the next send or commit, up
 * to the commit interval, 50-100 ms in these suites); a single probe in that moment would see everything idle and
 * caught up. 500 ms is several commit intervals; any record written meanwhile moves the end offsets and starts
 * the window again.
 */
final class Settled {

    static final Duration QUIET = Duration.ofMillis(500);

    /** What the service says it is still doing: empty when nothing is in flight, else what is. */
    @FunctionalInterface
    interface Activity {
        String inFlight() throws Exception;

        static Activity allOf(List<Activity> instances) {
            return () -> {
                List<String> busy = new ArrayList<>();
                for (Activity instance : instances) {
                    String inFlight = instance.inFlight();
                    if (!inFlight.isEmpty()) {
                        busy.add(inFlight);
                    }
                }
                return String.join("; ", busy);
            };
        }
    }

    /** One look at everything "settled" depends on. */
    private record Look(long at, String inFlight, Map<TopicPartition, Long> inputLag,
                        Map<TopicPartition, Long> openTransactions, Map<TopicPartition, Long> observerLag,
                        Map<TopicPartition, Long> auditEnd) {

        boolean settled() {
            return inFlight.isEmpty() && allZero(inputLag) && allZero(openTransactions) && allZero(observerLag);
        }

        @Override
        public String toString() {
            return "in flight: " + (inFlight.isEmpty() ? "nothing" : inFlight) + "; input lag of the lifecycle group "
                    + nonZero(inputLag) + "; open audit transactions (high watermark - last stable offset) "
                    + nonZero(openTransactions) + "; observer lag " + nonZero(observerLag);
        }

        private static boolean allZero(Map<TopicPartition, Long> lag) {
            return lag.values().stream().allMatch(n -> n == 0);
        }

        private static String nonZero(Map<TopicPartition, Long> lag) {
            Map<TopicPartition, Long> shown = lag.entrySet().stream().filter(e -> e.getValue() != 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, () -> new TreeMap<>(Settled::byName)));
            return shown.isEmpty() ? "0" : shown.toString();
        }
    }

    private final String bootstrapServers;
    private final String applicationId;
    private final List<String> inputTopics;
    private final Activity activity;

    /**
     * @param applicationId the lifecycle application's id (its consumer group)
     * @param inputTopics   the topics it consumes: launched and completed
     */
    Settled(String bootstrapServers, String applicationId, List<String> inputTopics, Activity activity) {
        this.bootstrapServers = bootstrapServers;
        this.applicationId = applicationId;
        this.inputTopics = List.copyOf(inputTopics);
        this.activity = activity;
    }

    /** Waits until settled (see the class comment) and quiet for {@link #QUIET}. */
    void await(AuditObserver audit, Duration timeout) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Look[] settledSince = new Look[1];
            long start = System.nanoTime();
            Await.atMost(timeout).every(Duration.ofMillis(100)).until("the service settled and the audit observer"
                    + " caught up, then quiet for " + QUIET.toMillis() + " ms", () -> {
                        Look look = look(admin, audit);
                        if (!look.settled() || settledSince[0] != null && !settledSince[0].auditEnd().equals(look.auditEnd())) {
                            settledSince[0] = null;
                        } else if (settledSince[0] == null) {
                            settledSince[0] = look;
                        }
                        return look;
                    }, look -> settledSince[0] != null && look.at() - settledSince[0].at() >= QUIET.toNanos(),
                    Look::toString);
            System.out.printf("SETTLED after %d ms (the last %d ms of them quiet)%n",
                    (System.nanoTime() - start) / 1_000_000, QUIET.toMillis());
        }
    }

    private Look look(Admin admin, AuditObserver audit) throws Exception {
        long at = System.nanoTime();
        // In flight first: whatever it reports done must show in the offsets read after it.
        String inFlight = activity.inFlight();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        // The input topics are written without transactions: their end is the high watermark, no marker after it.
        Map<TopicPartition, Long> inputEnd = endOffsets(admin, inputTopics, IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, Long> inputLag = difference(inputEnd, tp -> {
            OffsetAndMetadata offset = committed.get(tp);
            return offset == null ? 0L : offset.offset();
        });
        Map<TopicPartition, Long> stable = endOffsets(admin, List.of(audit.topic()), IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, Long> highWatermark = endOffsets(admin, List.of(audit.topic()), IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, Long> positions = audit.positions();
        return new Look(at, inFlight, inputLag, difference(highWatermark, stable::get),
                difference(stable, tp -> positions.getOrDefault(tp, 0L)), highWatermark);
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics, IsolationLevel isolation)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = new TreeMap<>(Settled::byName);
        for (var described : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            described.partitions().forEach(p -> request.put(new TopicPartition(described.name(), p.partition()),
                    OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answers = admin.listOffsets(request,
                new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> ends = new TreeMap<>(Settled::byName);
        answers.forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static Map<TopicPartition, Long> difference(Map<TopicPartition, Long> ends, Function<TopicPartition, Long> reached) {
        Map<TopicPartition, Long> lag = new TreeMap<>(Settled::byName);
        ends.forEach((tp, end) -> lag.put(tp, end - reached.apply(tp)));
        return lag;
    }

    private static int byName(TopicPartition a, TopicPartition b) {
        return Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition).compare(a, b);
    }
}
