package io.pipelinesecrets.lifecycle.reconcile;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What one reconcile pass found and did, line by line, for the CLI's table and the service's log.
 *
 * @param runStates how many run states the pass compared against
 */
public record ReconcileReport(boolean dryRun, int runStates, List<Line> lines) {

    public ReconcileReport {
        lines = List.copyOf(lines);
    }

    /**
     * One listed entry (or one backend that could not be listed: runId and ref are then null).
     *
     * @param action kept, would delete, deleted, failed: ..., or unlisted
     */
    public record Line(String backend, String runId, String ref, String reason, String action) {

        static Line of(OrphanRule.Decision decision, String action) {
            return new Line(decision.entry().backend(), decision.entry().runId(), decision.entry().ref(),
                    decision.reason(), action);
        }

        static Line unlisted(String backend, String problem) {
            return new Line(backend, null, null, problem, "unlisted");
        }

        public boolean failed() {
            return action.startsWith("failed") || action.equals("unlisted");
        }
    }

    public long count(String action) {
        return lines.stream().filter(line -> line.action().equals(action)).count();
    }

    public boolean anyFailed() {
        return lines.stream().anyMatch(Line::failed);
    }

    /** E.g. "3 listed: 2 kept, 1 deleted". */
    public String summary() {
        Map<String, Long> byAction = lines.stream().collect(Collectors.groupingBy(
                line -> line.action().startsWith("failed") ? "failed" : line.action(), TreeMap::new, Collectors.counting()));
        return lines.stream().filter(line -> line.ref() != null).count() + " listed: " + byAction.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }
}
