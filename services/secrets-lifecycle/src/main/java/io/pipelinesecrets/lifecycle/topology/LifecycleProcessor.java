package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.lifecycle.run.BackendCommand;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunStateMachine;
import io.pipelinesecrets.lifecycle.run.Transition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Applies the run state machine to launched and completed events (decoded and checked by a
 * {@link WorkflowEventDecoder} per topic), to backend results and to timers, one run at a time, inside the Streams
 * transaction: the run's new state, its audit events and any dead letters commit together.
 *
 * <p>Backend calls never block the stream thread (DESIGN.md section 6): the processor starts them and moves on;
 * their results land in a concurrent queue that a short wall-clock punctuation drains on the stream thread.
 * When a task starts, runs found with a call in flight are driven again (the call's result died with the
 * process that made it) and waiting retries are rescheduled.
 */
final class LifecycleProcessor implements Processor<String, WorkflowInput, Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleProcessor.class);
    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    /** The error code of a call given up on at its deadline ({@code lifecycle.call-deadline}); retryable. */
    static final String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";
    /** When a run awaiting secrets is due for a look: at once, so every drain looks at it until it stops waiting. */
    private static final Instant AT_EVERY_DRAIN = Instant.MIN;

    private final LifecycleTopology.Settings settings;
    private final Deserializer<SecretRecord> secretRecords;
    private final BackendDispatcher dispatcher;
    private final SecretsTopicProgress progress;
    private final CommitGate gate;
    private final RejectedEvents rejections;

    /** Filled by backend callbacks on any thread; drained only on the stream thread. */
    private final Queue<RunInput.BackendDone> results = new ConcurrentLinkedQueue<>();
    private final RunTimers<Void> retries = new RunTimers<>();
    private final RunTimers<Void> leases = new RunTimers<>();
    /** Runs whose launch waits for its secretsWatermark; looked at on every drain. */
    private final RunTimers<Void> secretsChecks = new RunTimers<>();
    private final List<String> redrives = new ArrayList<>();
    /**
     * The calls this task made that have not answered, by run (one at most per run: the state machine's rule), due at
     * their deadline. A call past it is withdrawn and answered for (a retryable failure), so a hung share or a
     * stalled connection cannot keep a run in flight, nor its completion waiting, for ever. Closing the task
     * withdraws them all: the run's next owner drives it again, and a late call of ours must not land after that.
     */
    private final RunTimers<OutstandingCall> callDeadlines = new RunTimers<>();

    private record OutstandingCall(BackendCommand command, CallFence fence, Instant madeAt) {
    }

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, RunState> runs;
    private RunStateMachine machine;

    LifecycleProcessor(LifecycleTopology.Settings settings, Deserializer<SecretRecord> secretRecords,
                       BackendDispatcher dispatcher, SecretsTopicProgress progress, CommitGate gate) {
        this.settings = settings;
        this.secretRecords = secretRecords;
        this.dispatcher = dispatcher;
        this.progress = progress;
        this.gate = gate;
        this.rejections = new RejectedEvents(settings);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.runs = context.getStateStore(LifecycleTopology.RUN_STATE_STORE);
        KeyValueStore<String, byte[]> secrets = context.getStateStore(LifecycleTopology.SECRETS_STORE);
        this.machine = new RunStateMachine(settings.policy(), settings.routing(),
                new SecretCatalog(secrets, secretRecords, settings.topics().secrets()), progress);
        resumeWorkingRuns();
        context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, now -> drain());
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forgetReleasedRuns());
    }

    /** A valid workflow event, applied to its run; one the run refuses is rejected. */
    @Override
    public void process(Record<String, WorkflowInput> record) {
        WorkflowInput event = record.value();
        Transition.Rejection refused = apply(event.input(), event.eventId());
        if (refused != null) {
            rejections.reject(context, event.original(), record.key(),
                    new DeadLetters.Rejection(refused.code(), "InvalidEvent", refused.message()), event.eventId());
        }
    }

    /** Applies backend results, re-drives and due retries; runs on the stream thread via punctuation. */
    private void drain() {
        for (String runId : redrives) {
            apply(new RunInput.Redrive(runId), null);
        }
        redrives.clear();
        RunInput.BackendDone done;
        while ((done = results.poll()) != null) {
            int attempt = done.attempt();
            callDeadlines.get(done.runId()).filter(call -> call.payload().command().attempt() == attempt)
                    .ifPresent(call -> callDeadlines.cancel(call.runId()));
            apply(done, null);
        }
        Instant now = settings.clock().instant();
        for (RunTimers.Timer<OutstandingCall> overdue : callDeadlines.due(now)) {
            giveUp(overdue.payload(), now);
        }
        for (RunTimers.Timer<Void> retry : retries.due(now)) {
            apply(new RunInput.RetryDue(retry.runId()), null);
        }
        for (RunTimers.Timer<Void> lease : leases.due(now)) {
            apply(new RunInput.LeaseDue(lease.runId()), null);
        }
        for (RunTimers.Timer<Void> check : secretsChecks.due(now)) {
            apply(new RunInput.SecretsCheck(check.runId()), null);
        }
    }

    /** @return why the run refused the input (to be dead-lettered), or null when it was applied */
    private Transition.Rejection apply(RunInput input, String eventId) {
        MDC.put("runId", input.runId());
        if (eventId != null) {
            MDC.put("eventId", eventId);
        }
        try {
            Instant now = settings.clock().instant();
            RunState before = runs.get(input.runId());
            Transition transition = machine.apply(before, input, now);
            if (transition.rejection() != null) {
                return transition.rejection();
            }
            RunState after = transition.state();
            if (transition.changed()) {
                if (after == null) {
                    runs.delete(input.runId());
                } else {
                    runs.put(input.runId(), after);
                }
            }
            for (AuditFact fact : transition.audits()) {
                context.forward(new Record<>(fact.runId(), AuditEvents.toEvent(fact, now), now.toEpochMilli()),
                        LifecycleTopology.AUDIT_SINK);
                settings.observer().audited(fact);
            }
            for (BackendCommand command : transition.commands()) {
                CallFence fence = track(command, now);
                // Made once this transaction commits: a call decided in a transaction that aborts never happens.
                gate.submit(() -> dispatcher.dispatch(command, fence, results::add));
            }
            schedule(input.runId(), after);
            if (after != null && (before == null || before.phase() != after.phase())) {
                LOG.info("run {} {} -> {}", input.runId(), before == null ? "new" : before.phase(), after.phase());
            }
            return null;
        } finally {
            MDC.remove("runId");
            MDC.remove("eventId");
        }
    }

    /** Remembers a call about to be made; a call of the run still outstanding (an older attempt) is withdrawn. */
    private CallFence track(BackendCommand command, Instant now) {
        CallFence fence = new CallFence();
        callDeadlines.schedule(command.runId(), now.plus(settings.policy().callDeadline()),
                        new OutstandingCall(command, fence, now))
                .ifPresent(previous -> previous.fence().withdraw("superseded by attempt " + command.attempt()));
        return fence;
    }

    /**
     * A call past its deadline (its timer taken): withdrawn, so it changes nothing from here on, and answered for as a retryable
     * failure of its attempt, so the run retries (and a completion waiting behind it is acted on). Its real result,
     * should it come, belongs to an attempt the run has moved past and is ignored.
     */
    private void giveUp(OutstandingCall call, Instant now) {
        BackendCommand command = call.command();
        call.fence().withdraw("deadline of " + settings.policy().callDeadline() + " passed");
        LOG.warn("run {}: the {} call of attempt {} did not answer within {}; withdrawn, retried later",
                command.runId(), command.operation(), command.attempt(), settings.policy().callDeadline());
        BackendError error = BackendError.retryable(DEADLINE_EXCEEDED, "the " + command.backend() + " call did not"
                + " answer within " + settings.policy().callDeadline() + " (lifecycle.call-deadline)");
        apply(new RunInput.BackendDone(command.runId(), command.operation(), command.attempt(),
                BackendDispatcher.failAll(command.names(), error),
                Math.max(0, Duration.between(call.madeAt(), now).toMillis())), null);
    }

    /**
     * The task is closing (its partition moves to another instance, or the service stops): withdraw every call it
     * made. The new owner finds those runs in flight and drives them again; a call of ours still queued or half-way
     * must not land after it released a run.
     */
    @Override
    public void close() {
        List<OutstandingCall> withdrawn = callDeadlines.cancelAll();
        withdrawn.forEach(call -> call.fence().withdraw("task closed"));
        if (!withdrawn.isEmpty()) {
            LOG.info("task {}: withdrew {} outstanding backend call(s) on close", context.taskId(), withdrawn.size());
        }
    }

    private void forgetReleasedRuns() {
        Instant now = settings.clock().instant();
        List<String> forgettable = new ArrayList<>();
        try (KeyValueIterator<String, RunState> all = runs.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.forgettable(now, settings.policy().releasedRunRetention())) {
                    forgettable.add(entry.key);
                }
            });
        }
        forgettable.forEach(runs::delete);
        if (!forgettable.isEmpty()) {
            LOG.info("task {}: forgot {} run(s) released more than {} ago", context.taskId(), forgettable.size(),
                    settings.policy().releasedRunRetention());
        }
    }

    private void schedule(String runId, RunState state) {
        if (state != null && state.phase().isWorking() && !state.progress().inFlight()
                && state.progress().nextAttemptAt() != null) {
            retries.schedule(runId, state.progress().nextAttemptAt());
        } else {
            retries.cancel(runId);
        }
        Optional<Instant> lease = state == null || state.completed() || !state.phase().mayHoldSecrets()
                ? Optional.empty() : settings.policy().leases().expiryOf(state);
        if (lease.isPresent()) {
            leases.schedule(runId, lease.get());
        } else {
            leases.cancel(runId);
        }
        if (state != null && state.phase() == Phase.AWAITING_SECRETS) {
            // Left in place when already waiting, so runs are looked at in the order they began to wait.
            if (!secretsChecks.isScheduled(runId)) {
                secretsChecks.schedule(runId, AT_EVERY_DRAIN);
            }
        } else {
            secretsChecks.cancel(runId);
        }
    }

    private void resumeWorkingRuns() {
        int inFlight = 0;
        try (KeyValueIterator<String, RunState> all = runs.all()) {
            while (all.hasNext()) {
                KeyValue<String, RunState> entry = all.next();
                RunState state = entry.value;
                schedule(entry.key, state);
                if (!state.phase().isWorking()) {
                    continue;
                }
                if (state.progress().inFlight()) {
                    redrives.add(entry.key);
                    inFlight++;
                }
            }
        }
        if (inFlight > 0 || !retries.isEmpty() || !secretsChecks.isEmpty()) {
            LOG.info("task {}: driving {} run(s) found in flight again, {} waiting for a retry, {} for secrets",
                    context.taskId(), inFlight, retries.size(), secretsChecks.size());
        }
    }
}
