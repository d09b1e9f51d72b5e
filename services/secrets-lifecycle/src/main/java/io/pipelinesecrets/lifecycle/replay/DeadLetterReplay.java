package io.pipelinesecrets.lifecycle.replay;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.topology.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which dead letters may go back to their source topic, and in what form.
 *
 * <p>A dead letter carries its record's original key, value and headers plus the {@code dlq.*} headers saying
 * why and where from ({@link DeadLetters}). Re-publishing it is safe because the service's processing is
 * idempotent: a launch or completion it already applied is skipped as a duplicate, a launch after its run's
 * completion or older than the stale-launch age provisions nothing, and audit event ids derive from the event
 * ids, so a replayed event's audit trail carries the ids it would have had. A record that is still invalid is
 * simply dead-lettered again.
 *
 * <p>Only records of the workflow topics go back. The secrets topic is compacted: the latest record of a key is
 * the secret's truth, so re-publishing a rejected old record would replace any newer value of that key. Such a
 * secret is fixed by its owner publishing it again. A record goes back to the partition it came from, so that it
 * reaches the task holding its run, whatever partitioner the original producer used.
 */
public final class DeadLetterReplay {

    private DeadLetterReplay() {
    }

    /** One dead letter read from the DLQ: where it came from, why it was rejected, and whether it may go back. */
    public record Entry(ConsumerRecord<byte[], byte[]> record, String sourceTopic, Integer sourcePartition,
                        String errorCode, Optional<String> refusal) {

        public boolean replayable() {
            return refusal.isEmpty();
        }

        public long dlqOffset() {
            return record.offset();
        }
    }

    public static Entry classify(ConsumerRecord<byte[], byte[]> record, ServiceTopics topics) {
        String sourceTopic = header(record.headers(), DeadLetters.SOURCE_TOPIC).orElse(null);
        String code = header(record.headers(), DeadLetters.ERROR_CODE).orElse("(none)");
        Integer partition = header(record.headers(), DeadLetters.SOURCE_PARTITION).flatMap(DeadLetterReplay::integer)
                .orElse(null);
        Optional<String> refusal = refusal(sourceTopic, partition, topics).or(() -> omission(record));
        return new Entry(record, sourceTopic, partition, code, refusal);
    }

    /** A dead letter that had to shed part of its record to fit holds no longer what would go back. */
    private static Optional<String> omission(ConsumerRecord<byte[], byte[]> record) {
        for (String omitted : List.of(DeadLetters.VALUE_OMITTED, DeadLetters.KEY_OMITTED, DeadLetters.HEADERS_OMITTED)) {
            if (record.headers().lastHeader(omitted) != null) {
                return Optional.of("the dead letter omits part of the original (" + omitted + "): re-read it from "
                        + header(record.headers(), DeadLetters.SOURCE_TOPIC).orElse("?") + " partition "
                        + header(record.headers(), DeadLetters.SOURCE_PARTITION).orElse("?") + " offset "
                        + header(record.headers(), DeadLetters.SOURCE_OFFSET).orElse("?")
                        + " while the topic still holds it");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> refusal(String sourceTopic, Integer partition, ServiceTopics topics) {
        if (sourceTopic == null) {
            return Optional.of("no " + DeadLetters.SOURCE_TOPIC + " header: where it came from is unknown");
        }
        if (sourceTopic.equals(topics.secrets())) {
            return Optional.of("secrets topic is compacted: an old record would replace a newer value of its key;"
                    + " have the owner publish the secret again");
        }
        if (!sourceTopic.equals(topics.launched()) && !sourceTopic.equals(topics.completed())) {
            return Optional.of("not a workflow topic of this service (" + topics.launched() + ", "
                    + topics.completed() + ")");
        }
        if (partition == null || partition < 0) {
            return Optional.of("no valid " + DeadLetters.SOURCE_PARTITION + " header");
        }
        return Optional.empty();
    }

    /** The record's own headers: everything but the {@code dlq.*} headers the service added. */
    public static Headers originalHeaders(Headers headers) {
        RecordHeaders original = new RecordHeaders();
        for (Header header : headers) {
            if (!header.key().startsWith("dlq.")) {
                original.add(header.key(), header.value());
            }
        }
        return original;
    }

    private static Optional<String> header(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    private static Optional<Integer> integer(String text) {
        try {
            return Optional.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether an error code is one the operator selected; no selection selects every code. */
    public static boolean selected(Entry entry, Set<String> codes) {
        return codes.isEmpty() || codes.contains(entry.errorCode());
    }
}
