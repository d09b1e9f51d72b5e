package io.pipelinesecrets.lifecycle.replay;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dead letter's headers are the service's own {@code dlq.*} headers plus whatever the original producer sent, and
 * the DLQ's ACLs may let others write to it. Whatever the headers, {@link DeadLetterReplay} classifies the record
 * without throwing, sends back only a workflow record with a usable partition, reads the last of repeated headers,
 * and hands on the original headers, in order, without any {@code dlq.*} one.
 *
 * <p>The input chooses up to twelve headers: keys from the DLQ's own and a few others or any text, values absent,
 * topic names, numbers or any bytes.
 */
class DeadLetterReplayFuzzTest {

    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;
    private static final String[] KEYS = {DeadLetters.SOURCE_TOPIC, DeadLetters.SOURCE_PARTITION, DeadLetters.ERROR_CODE,
            DeadLetters.SOURCE_OFFSET, DeadLetters.ERROR_MESSAGE, "dlq.", "DLQ.source.topic", "traceparent", ""};
    private static final String[] VALUES = {TOPICS.launched(), TOPICS.completed(), TOPICS.secrets(), TOPICS.audit(),
            TOPICS.deadLetters(), "0", "7", "-1", " 3 ", "2147483648", "+5", "INVALID_RUN_ID"};

    @FuzzTest
    void shouldClassifyAnyHeadersWithoutThrowingAndReplayOnlyToAWorkflowPartition(FuzzedDataProvider data) {
        RecordHeaders headers = new RecordHeaders();
        int count = data.consumeInt(0, 12);
        for (int i = 0; i < count; i++) {
            headers.add(data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(24), value(data));
        }

        DeadLetterReplay.Entry entry = DeadLetterReplay.classify(deadLetter(headers), TOPICS);
        Headers original = DeadLetterReplay.originalHeaders(headers);

        Optional<String> sourceTopic = lastText(headers, DeadLetters.SOURCE_TOPIC);
        assertThat(Optional.ofNullable(entry.sourceTopic())).isEqualTo(sourceTopic);
        assertThat(entry.errorCode()).isEqualTo(lastText(headers, DeadLetters.ERROR_CODE).orElse("(none)"));
        if (entry.replayable()) {
            assertThat(entry.sourceTopic()).isIn(TOPICS.launched(), TOPICS.completed());
            assertThat(entry.sourcePartition()).isNotNull().isNotNegative()
                    .isEqualTo(Integer.parseInt(lastText(headers, DeadLetters.SOURCE_PARTITION).orElseThrow().trim()));
        }
        assertThat(DeadLetterReplay.selected(entry, Set.of())).isTrue();
        assertThat(keysAndValues(original)).isEqualTo(keysAndValues(headers).stream()
                .filter(header -> !header.key().startsWith("dlq.")).toList());
    }

    private static byte[] value(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> null;
            case 1 -> data.pickValue(VALUES).getBytes(StandardCharsets.UTF_8);
            case 2 -> String.valueOf(data.consumeInt()).getBytes(StandardCharsets.UTF_8);
            default -> data.consumeBytes(32);
        };
    }

    private static ConsumerRecord<byte[], byte[]> deadLetter(Headers headers) {
        return new ConsumerRecord<>(TOPICS.deadLetters(), 0, 3, 0L, TimestampType.CREATE_TIME, 0, 0,
                "run-1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 9}, headers, Optional.empty());
    }

    private static Optional<String> lastText(Headers headers, String key) {
        Header last = headers.lastHeader(key);
        return last == null || last.value() == null ? Optional.empty()
                : Optional.of(new String(last.value(), StandardCharsets.UTF_8));
    }

    private record KeyAndValue(String key, String value) {
    }

    private static List<KeyAndValue> keysAndValues(Headers headers) {
        List<KeyAndValue> all = new ArrayList<>();
        headers.forEach(header -> all.add(new KeyAndValue(header.key(),
                header.value() == null ? null : new String(header.value(), StandardCharsets.ISO_8859_1))));
        return all;
    }
}
