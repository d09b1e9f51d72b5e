package io.pipelinesecrets.lifecycle.topology;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.events.SecretRecord;
import io.pipelinesecrets.events.WorkflowCompleted;
import io.pipelinesecrets.events.WorkflowLaunched;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.run.Phase;
import io.pipelinesecrets.contracts.RunIds;
import io.pipelinesecrets.lifecycle.run.BackendCommand;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.run.RunStateMachine;
import io.pipelinesecrets.lifecycle.run.Transition;
import io.pipelinesecrets.serde.UndecodableRecordException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Applies the run state machine to launched and completed events, to backend results and to retry timers, one
 * run at a time, inside the Streams transaction: the run's new state, its audit events and any dead letters
 * commit together.
 *
 * <p>Backend calls never block the stream thread (DESIGN.md section 6): the processor starts them and moves on;
 * their results land in a concurrent queue that a short wall-clock punctuation drains on the stream thread.
 * When a task starts, runs found with a call in flight are driven again (the call's result died with the
 * process that made it) and waiting retries are rescheduled.
 */
final class LifecycleProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleProcessor.class);
    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    /** The error code of a call given up on at its deadline ({@code lifecycle.call-deadline}); retryable. */
    static final String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";

    private final LifecycleTopology.Settings settings;
    private final Deserializer<WorkflowLaunched> launches;
    private final Deserializer<WorkflowCompleted> completions;
    private final Deserializer<SecretRecord> secretRecords;
    private final BackendDispatcher dispatcher;
    private final SecretsTopicProgress progress;
    private final CommitGate gate;

    /** Filled by backend callbacks on any thread; drained only on the stream thread. */
    private final Queue<RunInput.BackendDone> results = new ConcurrentLinkedQueue<>();
    private final Map<String, Instant> retriesDue = new HashMap<>();
    private final Map<String, Instant> leasesDue = new HashMap<>();
    /** Runs whose launch waits for its secretsWatermark; looked at on every drain. */
    private final Set<String> awaitingSecrets = new LinkedHashSet<>();
    private final List<String> redrives = new ArrayList<>();
    /**
     * The calls this task made that have not answered, by run (one at most per run: the state machine's rule), with
     * their deadline. A call past it is withdrawn and answered for (a retryable failure), so a hung share or a
     * stalled connection cannot keep a run in flight, nor its completion waiting, for ever. Closing the task
     * withdraws them all: the run's next owner drives it again, and a late call of ours must not land after that.
     */
    private final Map<String, OutstandingCall> outstanding = new HashMap<>();

    private record OutstandingCall(BackendCommand command, CallFence fence, Instant deadline, Instant madeAt) {
    }

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, RunState> runs;
    private RunStateMachine machine;

    LifecycleProcessor(LifecycleTopology.Settings settings, Deserializer<WorkflowLaunched> launches,
                       Deserializer<WorkflowCompleted> completions, Deserializer<SecretRecord> secretRecords,
                       BackendDispatcher dispatcher, SecretsTopicProgress progress, CommitGate gate) {
        this.settings = settings;
        this.launches = launches;
        this.completions = completions;
        this.secretRecords = secretRecords;
        this.dispatcher = dispatcher;
        this.progress = progress;
        this.gate = gate;
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

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> source = context.recordMetadata();
        String topic = source.map(RecordMetadata::topic).orElse("");
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        try {
            if (topic.equals(settings.topics().launched())) {
                handle(record, key, source, RecordDecoding.decode(launches, topic, record.headers(), record.value()),
                        WorkflowLaunched::getEventId, (k, launch) -> WorkflowEvents.problem(k, launch,
                                settings.clock().instant(), settings.policy().maxClockSkew()), WorkflowEvents::toInput);
            } else if (topic.equals(settings.topics().completed())) {
                handle(record, key, source, RecordDecoding.decode(completions, topic, record.headers(), record.value()),
                        WorkflowCompleted::getEventId, WorkflowEvents::problem, WorkflowEvents::toInput);
            } else {
                throw new IllegalStateException("lifecycle processor received a record of unexpected topic '" + topic + "'");
            }
        } catch (UndecodableRecordException e) {
            UndecodableRecordException located = source.map(m -> e.at(m.partition(), m.offset())).orElse(e);
            reject(record, key, source, new DeadLetters.Rejection(e.reason().name(), e.getClass().getName(),
                    located.getMessage()), null);
        }
    }

    /** A decoded workflow event: rejected if it breaks a rule Avro cannot express, else applied to its run. */
    private <E> void handle(Record<byte[], byte[]> record, String key, Optional<RecordMetadata> source, E event,
                            Function<E, String> eventId, BiFunction<String, E, Optional<DeadLetters.Rejection>> problem,
                            Function<E, RunInput> toInput) {
        if (event == null) {
            reject(record, key, source, emptyValue(), null);
            return;
        }
        Optional<DeadLetters.Rejection> rejection = problem.apply(key, event);
        if (rejection.isPresent()) {
            reject(record, key, source, rejection.get(), eventId.apply(event));
            return;
        }
        Transition.Rejection refused = apply(toInput.apply(event), eventId.apply(event));
        if (refused != null) {
            reject(record, key, source, new DeadLetters.Rejection(refused.code(), "InvalidEvent", refused.message()),
                    eventId.apply(event));
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
            OutstandingCall call = outstanding.get(done.runId());
            if (call != null && call.command().attempt() == done.attempt()) {
                outstanding.remove(done.runId());
            }
            apply(done, null);
        }
        Instant now = settings.clock().instant();
        List<OutstandingCall> overdue = outstanding.values().stream()
                .filter(call -> !call.deadline().isAfter(now)).toList();
        for (OutstandingCall call : overdue) {
            giveUp(call, now);
        }
        List<String> due = retriesDue.entrySet().stream()
                .filter(e -> !e.getValue().isAfter(now)).map(Map.Entry::getKey).toList();
        for (String runId : due) {
            retriesDue.remove(runId);
            apply(new RunInput.RetryDue(runId), null);
        }
        List<String> expired = leasesDue.entrySet().stream()
                .filter(e -> !e.getValue().isAfter(now)).map(Map.Entry::getKey).toList();
        for (String runId : expired) {
            leasesDue.remove(runId);
            apply(new RunInput.LeaseDue(runId), null);
        }
        for (String runId : List.copyOf(awaitingSecrets)) {
            apply(new RunInput.SecretsCheck(runId), null);
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
        OutstandingCall previous = outstanding.put(command.runId(),
                new OutstandingCall(command, fence, now.plus(settings.policy().callDeadline()), now));
        if (previous != null) {
            previous.fence().withdraw("superseded by attempt " + command.attempt());
        }
        return fence;
    }

    /**
     * A call past its deadline: withdrawn, so it changes nothing from here on, and answered for as a retryable
     * failure of its attempt, so the run retries (and a completion waiting behind it is acted on). Its real result,
     * should it come, belongs to an attempt the run has moved past and is ignored.
     */
    private void giveUp(OutstandingCall call, Instant now) {
        BackendCommand command = call.command();
        outstanding.remove(command.runId());
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
        outstanding.values().forEach(call -> call.fence().withdraw("task closed"));
        if (!outstanding.isEmpty()) {
            LOG.info("task {}: withdrew {} outstanding backend call(s) on close", context.taskId(), outstanding.size());
        }
        outstanding.clear();
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
            retriesDue.put(runId, state.progress().nextAttemptAt());
        } else {
            retriesDue.remove(runId);
        }
        Optional<Instant> lease = state == null || state.completed() || !state.phase().mayHoldSecrets()
                ? Optional.empty() : settings.policy().leases().expiryOf(state);
        if (lease.isPresent()) {
            leasesDue.put(runId, lease.get());
        } else {
            leasesDue.remove(runId);
        }
        if (state != null && state.phase() == Phase.AWAITING_SECRETS) {
            awaitingSecrets.add(runId);
        } else {
            awaitingSecrets.remove(runId);
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
        if (inFlight > 0 || !retriesDue.isEmpty() || !awaitingSecrets.isEmpty()) {
            LOG.info("task {}: driving {} run(s) found in flight again, {} waiting for a retry, {} for secrets",
                    context.taskId(), inFlight, retriesDue.size(), awaitingSecrets.size());
        }
    }

    private void reject(Record<byte[], byte[]> record, String key, Optional<RecordMetadata> source,
                        DeadLetters.Rejection rejection, String eventId) {
        context.forward(DeadLetters.of(record, rejection, source, settings.limits().deadLetterBytes()),
                LifecycleTopology.DLQ_SINK);
        // The key names the run only when it is one: a 600 KB key must not become the audit event's run id.
        String runId = RunIds.isValid(key) ? key : null;
        AuditFact fact = AuditFact.of(AuditAction.EVENT_REJECTED, AuditOutcome.FAILURE).run(runId)
                .error(rejection.code(), rejection.message())
                .cause(eventId != null ? eventId : DeadLetters.position(source))
                .reason(source.map(RecordMetadata::topic).orElse(null)).build();
        Instant now = settings.clock().instant();
        context.forward(new Record<>(runId, AuditEvents.toEvent(fact, now), now.toEpochMilli()), LifecycleTopology.AUDIT_SINK);
        settings.observer().deadLettered(source.map(RecordMetadata::topic).orElse("unknown"), rejection.code());
        settings.observer().audited(fact);
        LOG.warn("rejected record {} of {}: {} {}", DeadLetters.position(source), source.map(RecordMetadata::topic)
                .orElse("?"), rejection.code(), rejection.message());
    }

    private static DeadLetters.Rejection emptyValue() {
        return new DeadLetters.Rejection("EMPTY_VALUE", "InvalidEvent", "a workflow event must have a value");
    }
}
