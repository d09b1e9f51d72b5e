package io.pipelinesecrets.lifecycle.run;

/**
 * How the run is ending.
 *
 * @param completionEventId the completion (or {@link RunStateMachine#LEASE_EVENT_PREFIX expired lease}) that asked
 *                          for the release; while the run is still working it waits here
 * @param releaseReason     why the release summary will not be an ordinary one (e.g. provisioning had failed)
 */
public record RunEnding(String completionEventId, String releaseReason) {

    public static final RunEnding NOT_YET = new RunEnding(null, null);

    public boolean completed() {
        return completionEventId != null;
    }

    RunEnding completedBy(String eventId) {
        return new RunEnding(eventId, releaseReason);
    }

    RunEnding because(String reason) {
        return new RunEnding(completionEventId, reason);
    }
}
