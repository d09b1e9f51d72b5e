package io.pipelinesecrets.lifecycle.replay;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterReplayTest {

    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;

    private static ConsumerRecord<byte[], byte[]> deadLetter(String sourceTopic, String partition, String code) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        if (sourceTopic != null) {
            headers.add(DeadLetters.SOURCE_TOPIC, sourceTopic.getBytes(StandardCharsets.UTF_8));
        }
        if (partition != null) {
            headers.add(DeadLetters.SOURCE_PARTITION, partition.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(DeadLetters.SOURCE_OFFSET, "7".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.ERROR_CODE, code.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.ERROR_CLASS, "X".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.ERROR_MESSAGE, "m".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(TOPICS.deadLetters(), 0, 3, 0L, TimestampType.CREATE_TIME, 0, 0,
                "run-1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 9}, headers, Optional.empty());
    }

    @Test
    void shouldReplayWorkflowRecordsToTheirSourcePartition() {
        DeadLetterReplay.Entry launched = DeadLetterReplay.classify(deadLetter(TOPICS.launched(), "2", "UNKNOWN_SCHEMA_ID"), TOPICS);
        DeadLetterReplay.Entry completed = DeadLetterReplay.classify(deadLetter(TOPICS.completed(), "0", "KEY_MISMATCH"), TOPICS);

        assertThat(launched.replayable()).isTrue();
        assertThat(launched.sourceTopic()).isEqualTo(TOPICS.launched());
        assertThat(launched.sourcePartition()).isEqualTo(2);
        assertThat(launched.errorCode()).isEqualTo("UNKNOWN_SCHEMA_ID");
        assertThat(completed.replayable()).isTrue();
    }

    @Test
    void shouldNeverReplayIntoTheCompactedSecretsTopic() {
        DeadLetterReplay.Entry secret = DeadLetterReplay.classify(deadLetter(TOPICS.secrets(), "0", "MALFORMED_KEY"), TOPICS);

        assertThat(secret.refusal()).get().asString().contains("compacted");
    }

    @Test
    void shouldRefuseRecordsOfUnknownOriginOrOtherTopics() {
        assertThat(DeadLetterReplay.classify(deadLetter(null, "0", "X"), TOPICS).refusal()).get().asString()
                .contains("no dlq.source.topic header");
        assertThat(DeadLetterReplay.classify(deadLetter("someone.else", "0", "X"), TOPICS).refusal()).get().asString()
                .contains("not a workflow topic");
        assertThat(DeadLetterReplay.classify(deadLetter(TOPICS.launched(), "x", "X"), TOPICS).refusal()).get().asString()
                .contains("dlq.source.partition");
    }

    @Test
    void shouldStripOnlyTheServicesOwnHeaders() {
        ConsumerRecord<byte[], byte[]> record = deadLetter(TOPICS.launched(), "1", "UNKNOWN_SCHEMA_ID");

        assertThat(DeadLetterReplay.originalHeaders(record.headers()).toArray()).extracting(Header::key)
                .containsExactly("trace-id");
    }

    @Test
    void shouldSelectEveryCodeWithoutASelection() {
        DeadLetterReplay.Entry entry = DeadLetterReplay.classify(deadLetter(TOPICS.launched(), "1", "UNKNOWN_SCHEMA_ID"), TOPICS);

        assertThat(DeadLetterReplay.selected(entry, Set.of())).isTrue();
        assertThat(DeadLetterReplay.selected(entry, Set.of("UNKNOWN_SCHEMA_ID"))).isTrue();
        assertThat(DeadLetterReplay.selected(entry, Set.of("KEY_MISMATCH"))).isFalse();
    }
}
