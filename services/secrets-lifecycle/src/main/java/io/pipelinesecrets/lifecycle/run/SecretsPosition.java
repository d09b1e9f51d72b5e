package io.pipelinesecrets.lifecycle.run;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Positions in the secrets topic that a launch needs applied before its run is resolved (read-your-writes,
 * docs/design.md §5): per partition, the offset of the last record the platform wrote before launching.
 *
 * @param offsets partition to offset, inclusive; partitions not listed impose no wait
 */
public record SecretsPosition(Map<Integer, Long> offsets) {

    public SecretsPosition {
        Objects.requireNonNull(offsets, "offsets");
        offsets = Map.copyOf(offsets);
    }

    /** Whether every listed partition has been applied up to and including its offset. */
    public boolean reachedBy(Map<Integer, Long> applied) {
        return offsets.entrySet().stream().allMatch(e -> applied.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    @Override
    public String toString() {
        return new TreeMap<>(offsets).toString();
    }
}
