package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.resolution.Selection;

import java.time.Instant;

/**
 * Where a run came from: what its launch event said and which backend serves it. Fixed once the launch arrived;
 * every part is null when the completion arrived first ({@link #NO_LAUNCH}).
 *
 * @param backend null also when no backend serves the launch's platform (the run fails at once)
 */
public record RunOrigin(RunTarget target, String backend, String launchEventId, Instant launchedAt,
                        Selection selection) {

    /** A run known only from its completion. */
    public static final RunOrigin NO_LAUNCH = new RunOrigin(null, null, null, null, null);

    static RunOrigin of(RunInput.Launch launch, String backend) {
        return new RunOrigin(launch.target(), backend, launch.eventId(), launch.launchedAt(), launch.selection());
    }

    public boolean launched() {
        return launchEventId != null;
    }
}
