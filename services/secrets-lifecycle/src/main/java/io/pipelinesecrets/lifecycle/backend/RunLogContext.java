package io.pipelinesecrets.lifecycle.backend;

import org.slf4j.MDC;

import java.util.function.Supplier;

/**
 * Puts a run's id into the logging MDC (field {@code runId} of the JSON log lines) around work that runs on a
 * backend's own threads, where the stream thread's MDC does not reach. Restores what was there before, since
 * pool threads are reused. Run ids, never values: nothing else about a run goes into the MDC.
 */
public final class RunLogContext {

    public static final String RUN_ID = "runId";

    private RunLogContext() {
    }

    public static <T> T withRunId(String runId, Supplier<T> work) {
        String previous = MDC.get(RUN_ID);
        if (runId == null) {
            MDC.remove(RUN_ID);
        } else {
            MDC.put(RUN_ID, printable(runId));
        }
        try {
            return work.get();
        } finally {
            if (previous == null) {
                MDC.remove(RUN_ID);
            } else {
                MDC.put(RUN_ID, previous);
            }
        }
    }

    public static void withRunId(String runId, Runnable work) {
        withRunId(runId, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Backends are public API and may be handed an id the topology would have refused; keep a control character
     * from forging a line in the plain-text log format.
     */
    private static String printable(String runId) {
        StringBuilder out = new StringBuilder(runId.length());
        runId.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}
