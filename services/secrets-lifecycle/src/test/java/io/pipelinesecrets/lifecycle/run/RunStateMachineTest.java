package io.pipelinesecrets.lifecycle.run;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.resolution.InMemorySecretSource;
import io.pipelinesecrets.lifecycle.resolution.Selection;
import io.pipelinesecrets.lifecycle.run.RunInput.Operation;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RunStateMachineTest {

    private static final String CANARY = "canary-4c1d-value";
    private static final String RUN = "run-1";
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private final InMemorySecretSource source = new InMemorySecretSource()
            .workspace("ws-1", "DB_PASSWORD", CANARY)
            .workspace("ws-1", "API_TOKEN", "workspace-token")
            .user("alice", "API_TOKEN", "alice-token");
    private final LifecyclePolicy policy = new LifecyclePolicy(Duration.ofHours(24), 4, Duration.ofSeconds(1), Duration.ofSeconds(30));
    private final RunStateMachine machine = new RunStateMachine(policy,
            platform -> platform.equals("slurm") ? Optional.of("filesystem") : Optional.empty(), source);
    private final List<AuditFact> allAudits = new ArrayList<>();
    private final List<RunState> allStates = new ArrayList<>();

    // ---- launch and provisioning

    @Test
    void shouldProvisionTheMergedSetOnLaunchWithOneCallInFlight() {
        Transition t = apply(null, launch("launch-1"), T0);

        assertThat(t.state().phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(t.state().progress().inFlight()).isTrue();
        assertThat(t.state().progress().attempt()).isEqualTo(1);
        assertThat(t.state().manifest()).extracting(ManifestEntry::name, ManifestEntry::scope, ManifestEntry::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("API_TOKEN", Scope.USER, EntryStatus.PENDING),
                        org.assertj.core.groups.Tuple.tuple("DB_PASSWORD", Scope.WORKSPACE, EntryStatus.PENDING));
        assertThat(t.audits()).isEmpty();
        BackendCommand.Provision provision = (BackendCommand.Provision) t.commands().get(0);
        assertThat(provision.backend()).isEqualTo("filesystem");
        assertThat(provision.attempt()).isEqualTo(1);
        assertThat(provision.secrets()).extracting(s -> s.value().reveal()).containsExactly("alice-token", CANARY);
    }

    @Test
    void shouldBecomeActiveAndAuditEachSecretAndASummaryWhenAllAreCreated() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();

        Transition t = apply(provisioning, created(1), T0.plusMillis(40));

        assertThat(t.state().phase()).isEqualTo(Phase.ACTIVE);
        assertThat(t.state().manifest()).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(EntryStatus.CREATED);
            assertThat(e.backendRef()).isEqualTo("/secrets/run-1/store.json");
        });
        assertThat(actions(t)).containsExactly(AuditAction.SECRET_CREATED, AuditAction.SECRET_CREATED,
                AuditAction.SECRETS_PROVISIONED);
        AuditFact summary = t.audits().get(2);
        assertThat(summary.secretCount()).isEqualTo(2);
        assertThat(summary.secretNames()).containsExactly("API_TOKEN", "DB_PASSWORD");
        assertThat(summary.causationEventId()).isEqualTo("launch-1");
        assertThat(summary.durationMs()).isEqualTo(40L);
        assertThat(summary.workspaceId()).isEqualTo("ws-1");
        assertThat(summary.userId()).isEqualTo("alice");
        assertThat(summary.backend()).isEqualTo("filesystem");
    }

    @Test
    void shouldProvideOnlyTheSelectedSecrets() {
        RunInput.Launch selective = new RunInput.Launch("launch-1", RUN, T0, target("slurm"),
                new Selection(List.of("DB_PASSWORD"), List.of()));

        Transition t = apply(null, selective, T0);

        assertThat(((BackendCommand.Provision) t.commands().get(0)).secrets()).extracting(Secret::name)
                .containsExactly("DB_PASSWORD");
    }

    @Test
    void shouldFailProvisioningWhenASelectedSecretDoesNotExist() {
        RunInput.Launch selective = new RunInput.Launch("launch-1", RUN, T0, target("slurm"),
                new Selection(List.of("NOT_THERE"), List.of()));

        Transition t = apply(null, selective, T0);

        assertThat(t.state().phase()).isEqualTo(Phase.FAILED);
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.PROVISION_FAILED);
            assertThat(a.errorCode()).isEqualTo("SECRET_NOT_FOUND");
            assertThat(a.errorMessage()).contains("workspace:NOT_THERE");
        });
    }

    @Test
    void shouldFailProvisioningForAPlatformNoBackendServes() {
        RunInput.Launch onK8s = new RunInput.Launch("launch-1", RUN, T0, target("k8s"), null);

        Transition t = apply(null, onK8s, T0);

        assertThat(t.state().phase()).isEqualTo(Phase.FAILED);
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.PROVISION_FAILED);
            assertThat(a.outcome()).isEqualTo(AuditOutcome.FAILURE);
            assertThat(a.errorCode()).isEqualTo(AuditReasons.UNSUPPORTED_PLATFORM);
            assertThat(a.errorMessage()).contains("k8s");
        });
    }

    @Test
    void shouldProvisionAnEmptySetWithoutCallingTheBackend() {
        RunInput.Launch lonely = new RunInput.Launch("launch-1", RUN, T0,
                new RunTarget(RUN, "ws-empty", "nobody", "ce-1", "slurm", null, null, "/secrets"), null);

        Transition launched = apply(null, lonely, T0);
        Transition completed = apply(launched.state(),
                new RunInput.Completion("done-1", RUN, "ws-empty", "SUCCEEDED", T0), T0.plusSeconds(5));

        assertThat(launched.state().phase()).isEqualTo(Phase.ACTIVE);
        assertThat(launched.commands()).isEmpty();
        assertThat(launched.audits()).singleElement().satisfies(a -> assertThat(a.secretCount()).isZero());
        assertThat(completed.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(completed.commands()).isEmpty();
        assertThat(actions(completed)).containsExactly(AuditAction.SECRETS_RELEASED);
    }

    // ---- completion and release

    @Test
    void shouldReleaseEverythingInTheManifestWhenTheRunCompletes() {
        RunState active = active();

        Transition t = apply(active, completion("done-1"), T0.plusSeconds(60));

        assertThat(t.state().phase()).isEqualTo(Phase.RELEASING);
        assertThat(t.state().ending().completionEventId()).isEqualTo("done-1");
        BackendCommand.Release release = (BackendCommand.Release) t.commands().get(0);
        assertThat(release.secrets()).containsExactly(
                new StoredSecret("API_TOKEN", "/secrets/run-1/store.json"),
                new StoredSecret("DB_PASSWORD", "/secrets/run-1/store.json"));
        assertThat(release.attempt()).isEqualTo(t.state().progress().attempt());
    }

    @Test
    void shouldBeReleasedWhenTheBackendConfirmsEveryDeletion() {
        RunState releasing = apply(active(), completion("done-1"), T0.plusSeconds(60)).state();

        Transition t = apply(releasing, deleted(releasing.progress().attempt()), T0.plusSeconds(61));

        assertThat(t.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(actions(t)).containsExactly(AuditAction.SECRET_DELETED, AuditAction.SECRET_DELETED,
                AuditAction.SECRETS_RELEASED);
        assertThat(t.audits().get(2).causationEventId()).isEqualTo("done-1");
        assertThat(t.audits().get(2).secretCount()).isEqualTo(2);
        assertThat(t.audits().get(2).reason()).isNull();
    }

    @Test
    void shouldRecordACompletionBeforeItsLaunchAndSkipTheLateLaunch() {
        Transition completed = apply(null, completion("done-1"), T0);
        Transition late = apply(completed.state(), launch("launch-1"), T0.plusSeconds(1));

        assertThat(completed.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(actions(completed)).containsExactly(AuditAction.COMPLETION_WITHOUT_LAUNCH);
        assertThat(completed.audits().get(0).workspaceId()).isEqualTo("ws-1");
        assertThat(late.changed()).isFalse();
        assertThat(late.commands()).isEmpty();
        assertThat(late.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.LAUNCH_SKIPPED);
            assertThat(a.reason()).isEqualTo(AuditReasons.ALREADY_COMPLETED);
            assertThat(a.outcome()).isEqualTo(AuditOutcome.SKIPPED);
        });
    }

    @Test
    void shouldSkipADuplicateLaunchWithTheSameAuditIdEachTime() {
        RunState active = active();

        Transition first = apply(active, launch("launch-1"), T0.plusSeconds(5));
        Transition second = apply(active, launch("launch-1"), T0.plusSeconds(9));

        assertThat(first.changed()).isFalse();
        assertThat(first.commands()).isEmpty();
        assertThat(first.audits()).singleElement().satisfies(a -> assertThat(a.reason()).isEqualTo(AuditReasons.DUPLICATE));
        assertThat(second.audits().get(0).eventId()).isEqualTo(first.audits().get(0).eventId());
    }

    @Test
    void shouldRefuseACompletionThatNamesAnotherWorkspaceAndKeepTheRunAsItIs() {
        RunState active = apply(apply(null, launch("launch-1"), T0).state(), created(1), T0).state();

        Transition t = apply(active, new RunInput.Completion("forged-1", RUN, "ws-other", "SUCCEEDED", T0), T0);

        assertThat(t.rejection()).isNotNull();
        assertThat(t.rejection().code()).isEqualTo(AuditReasons.WORKSPACE_MISMATCH);
        assertThat(t.rejection().message()).contains("'ws-other'").contains("'ws-1'");
        assertThat(t.changed()).isFalse();
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).as("the processor audits the rejection with the dead letter").isEmpty();
        assertThat(t.state().phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void shouldAcceptACompletionWithoutAWorkspaceAsBefore() {
        RunState active = apply(apply(null, launch("launch-1"), T0).state(), created(1), T0).state();

        Transition t = apply(active, new RunInput.Completion("done-1", RUN, null, "SUCCEEDED", T0), T0);

        assertThat(t.rejection()).isNull();
        assertThat(t.state().phase()).isEqualTo(Phase.RELEASING);
    }

    @Test
    void shouldFailALaunchOnAComputeEnvironmentBoundToOtherWorkspacesWithoutCallingTheBackend() {
        RunStateMachine bound = new RunStateMachine(policy.withComputeEnvironments(
                new ComputeEnvironmentAccess(java.util.Map.of("ce-1", java.util.Set.of("ws-other")))),
                platform -> Optional.of("filesystem"), source);

        Transition t = bound.apply(null, launch("launch-1"), T0);

        assertThat(t.commands()).isEmpty();
        assertThat(t.state().phase()).isEqualTo(Phase.FAILED);
        assertThat(t.audits()).filteredOn(a -> a.action() == AuditAction.PROVISION_FAILED).singleElement()
                .satisfies(failed -> assertThat(failed.errorCode()).isEqualTo(AuditReasons.COMPUTE_ENV_NOT_ALLOWED));
    }

    @Test
    void shouldSkipADuplicateCompletion() {
        RunState released = released();

        Transition t = apply(released, completion("done-1"), T0.plusSeconds(100));

        assertThat(t.changed()).isFalse();
        assertThat(t.commands()).isEmpty();
        assertThat(actions(t)).containsExactly(AuditAction.COMPLETION_SKIPPED);
    }

    @Test
    void shouldNotProvisionALaunchOlderThanTheStaleAge() {
        RunInput.Launch old = new RunInput.Launch("launch-old", RUN, T0.minus(Duration.ofHours(25)), target("slurm"), null);

        Transition t = apply(null, old, T0);

        assertThat(t.state()).isNull();
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.LAUNCH_SKIPPED);
            assertThat(a.reason()).isEqualTo(AuditReasons.STALE);
        });
    }

    @Test
    void shouldProvisionALaunchJustYoungerThanTheStaleAge() {
        RunInput.Launch recent = new RunInput.Launch("launch-1", RUN, T0.minus(Duration.ofHours(23)), target("slurm"), null);

        assertThat(apply(null, recent, T0).commands()).hasSize(1);
    }

    // ---- a completion that arrives while the run is working

    @Test
    void shouldHoldACompletionWhileProvisioningIsInFlightAndReleaseAfterwards() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();

        Transition held = apply(provisioning, completion("done-1"), T0.plusMillis(5));
        Transition afterResults = apply(held.state(), created(1), T0.plusMillis(30));

        assertThat(held.commands()).isEmpty();
        assertThat(held.audits()).isEmpty();
        assertThat(held.state().phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(afterResults.state().phase()).isEqualTo(Phase.RELEASING);
        assertThat(actions(afterResults)).containsExactly(AuditAction.SECRET_CREATED, AuditAction.SECRET_CREATED,
                AuditAction.SECRETS_PROVISIONED);
        assertThat(afterResults.commands()).singleElement().isInstanceOf(BackendCommand.Release.class);
    }

    @Test
    void shouldAbandonAWaitingRetryWhenTheRunCompletes() {
        RunState waiting = failedOnce(launch("launch-1")).state();

        Transition t = apply(waiting, completion("done-1"), T0.plusMillis(100));
        Transition done = apply(t.state(), deleted(t.state().progress().attempt()), T0.plusMillis(200));

        assertThat(t.state().phase()).isEqualTo(Phase.RELEASING);
        assertThat(((BackendCommand.Release) t.commands().get(0)).secrets()).hasSize(2);
        assertThat(done.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(done.audits().get(done.audits().size() - 1)).satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.SECRETS_RELEASED);
            assertThat(a.reason()).isEqualTo(AuditReasons.COMPLETED_DURING_PROVISIONING);
        });
    }

    // ---- failures

    @Test
    void shouldRetryARetryableFailureWithBackoffWithoutBlockingAnything() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();

        Transition failed = apply(provisioning, failedAll(provisioning, retryable()), T0);
        Transition early = apply(failed.state(), new RunInput.RetryDue(RUN), T0.plusMillis(999));
        Transition due = apply(failed.state(), new RunInput.RetryDue(RUN), T0.plusSeconds(1));

        assertThat(failed.state().progress().inFlight()).isFalse();
        assertThat(failed.state().progress().nextAttemptAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(failed.commands()).isEmpty();
        assertThat(failed.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.PROVISION_RETRY_SCHEDULED);
            assertThat(a.errorCode()).isEqualTo("THROTTLED");
            assertThat(a.attempt()).isEqualTo(1);
        });
        assertThat(early.changed()).isFalse();
        assertThat(due.state().progress().attempt()).isEqualTo(2);
        assertThat(due.state().progress().inFlight()).isTrue();
        assertThat(due.commands()).singleElement().isInstanceOf(BackendCommand.Provision.class);
    }

    @Test
    void shouldDoubleTheBackoffPerFailedAttempt() {
        RunState state = apply(null, launch("launch-1"), T0).state();
        Instant now = T0;
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            state = apply(state, failedAll(state, retryable()), now).state();
            delays.add(Duration.between(now, state.progress().nextAttemptAt()));
            now = state.progress().nextAttemptAt();
            state = apply(state, new RunInput.RetryDue(RUN), now).state();
        }

        assertThat(delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void shouldGiveUpProvisioningAfterTheMaximumAttemptsAndRollBack() {
        RunState state = apply(null, launch("launch-1"), T0).state();
        Transition t = null;
        for (int attempt = 1; attempt <= policy.maxProvisionAttempts(); attempt++) {
            t = apply(state, failedAll(state, retryable()), T0);
            state = t.state();
            if (state.phase() == Phase.PROVISIONING) {
                state = apply(state, new RunInput.RetryDue(RUN), state.progress().nextAttemptAt()).state();
            }
        }

        assertThat(state.phase()).isEqualTo(Phase.ROLLING_BACK);
        assertThat(actions(t)).containsExactly(AuditAction.PROVISION_FAILED);
        assertThat(t.audits().get(0).errorCode()).isEqualTo(AuditReasons.RETRIES_EXHAUSTED);
        assertThat(((BackendCommand.Release) t.commands().get(0)).secrets()).hasSize(2);
    }

    @Test
    void shouldRollBackWhatWasCreatedOnAPermanentFailureButNeverDeleteTheRefusedSecret() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();
        BackendCommand.Provision command = (BackendCommand.Provision) machine.apply(null, launch("launch-1"), T0).commands().get(0);
        assertThat(command.secrets()).hasSize(2);

        Transition t = apply(provisioning, new RunInput.BackendDone(RUN, Operation.PROVISION, 1, List.of(
                new SecretOutcome.Created("API_TOKEN", "ref-api"),
                new SecretOutcome.Failed("DB_PASSWORD", BackendError.permanent("NAME_OWNED_BY_ANOTHER", "exists, not ours"))),
                20), T0.plusMillis(20));

        assertThat(t.state().phase()).isEqualTo(Phase.ROLLING_BACK);
        assertThat(actions(t)).containsExactly(AuditAction.SECRET_CREATED, AuditAction.PROVISION_FAILED);
        assertThat(t.audits().get(1).errorCode()).isEqualTo("NAME_OWNED_BY_ANOTHER");
        assertThat(t.audits().get(1).secretName()).isEqualTo("DB_PASSWORD");
        assertThat(((BackendCommand.Release) t.commands().get(0)).secrets())
                .containsExactly(new StoredSecret("API_TOKEN", "ref-api"));

        Transition rolledBack = apply(t.state(), new RunInput.BackendDone(RUN, Operation.RELEASE, t.state().progress().attempt(),
                List.of(new SecretOutcome.Deleted("API_TOKEN", "ref-api")), 5), T0.plusMillis(40));
        assertThat(rolledBack.state().phase()).isEqualTo(Phase.FAILED);
        assertThat(rolledBack.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.SECRET_DELETED);
            assertThat(a.reason()).isEqualTo(AuditReasons.ROLLBACK);
        });
    }

    @Test
    void shouldReleaseAfterARollbackWhenTheRunCompletedDuringIt() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();
        RunState rollingBack = apply(provisioning, new RunInput.BackendDone(RUN, Operation.PROVISION, 1, List.of(
                new SecretOutcome.Created("API_TOKEN", "ref-api"),
                new SecretOutcome.Failed("DB_PASSWORD", BackendError.permanent("ACCESS_DENIED", "denied"))), 5), T0).state();

        Transition held = apply(rollingBack, completion("done-1"), T0.plusMillis(1));
        Transition done = apply(held.state(), new RunInput.BackendDone(RUN, Operation.RELEASE, rollingBack.progress().attempt(),
                List.of(new SecretOutcome.Deleted("API_TOKEN", "ref-api")), 5), T0.plusMillis(2));

        assertThat(held.commands()).isEmpty();
        assertThat(done.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(done.audits().get(done.audits().size() - 1)).satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.SECRETS_RELEASED);
            assertThat(a.reason()).isEqualTo(AuditReasons.PROVISION_FAILED);
            assertThat(a.causationEventId()).isEqualTo("done-1");
        });
    }

    @Test
    void shouldReleaseAFailedRunWithoutCallingTheBackend() {
        RunState failed = apply(null, new RunInput.Launch("launch-1", RUN, T0, target("k8s"), null), T0).state();

        Transition t = apply(failed, completion("done-1"), T0.plusSeconds(1));

        assertThat(t.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.SECRETS_RELEASED);
            assertThat(a.secretCount()).isZero();
            assertThat(a.reason()).isEqualTo(AuditReasons.PROVISION_FAILED);
        });
    }

    @Test
    void shouldKeepRetryingAFailedReleaseUntilItSucceeds() {
        RunState state = apply(active(), completion("done-1"), T0).state();
        Instant now = T0;
        List<AuditAction> failures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            BackendError error = i % 2 == 0 ? retryable() : BackendError.permanent("ACCESS_DENIED", "denied");
            Transition failed = apply(state, failedAll(state, error), now);
            failures.addAll(actions(failed));
            now = failed.state().progress().nextAttemptAt();
            assertThat(Duration.between(failed.state().updatedAt(), now)).isLessThanOrEqualTo(policy.maxBackoff());
            state = apply(failed.state(), new RunInput.RetryDue(RUN), now).state();
            assertThat(state.phase()).isEqualTo(Phase.RELEASING);
            assertThat(state.progress().inFlight()).isTrue();
        }
        Transition done = apply(state, deleted(state.progress().attempt()), now);

        assertThat(failures).hasSize(20).containsOnly(AuditAction.RELEASE_RETRY_SCHEDULED, AuditAction.RELEASE_FAILED);
        assertThat(done.state().phase()).isEqualTo(Phase.RELEASED);
    }

    @Test
    void shouldRaiseReleaseFailedOnceRetryableFailuresLastAsLongAsWouldFailAProvisioningAndKeepRetrying() {
        RunState state = apply(active(), completion("done-1"), T0).state();
        Instant now = T0;
        List<AuditFact> failures = new ArrayList<>();
        for (int i = 0; i < policy.maxProvisionAttempts() + 3; i++) {
            Transition failed = apply(state, failedAll(state, retryable()), now);
            failures.addAll(failed.audits());
            now = failed.state().progress().nextAttemptAt();
            state = apply(failed.state(), new RunInput.RetryDue(RUN), now).state();
        }

        assertThat(failures).extracting(AuditFact::action).containsExactly(
                AuditAction.RELEASE_RETRY_SCHEDULED, AuditAction.RELEASE_RETRY_SCHEDULED,
                AuditAction.RELEASE_RETRY_SCHEDULED, AuditAction.RELEASE_FAILED,
                AuditAction.RELEASE_RETRY_SCHEDULED, AuditAction.RELEASE_RETRY_SCHEDULED,
                AuditAction.RELEASE_RETRY_SCHEDULED);
        assertThat(failures.get(3).reason()).isEqualTo(AuditReasons.STILL_FAILING);
        assertThat(state.phase()).isEqualTo(Phase.RELEASING);
        assertThat(state.progress().inFlight()).as("still trying").isTrue();
    }

    @Test
    void shouldGiveEachReleaseRetryItsOwnAuditId() {
        RunState releasing = apply(active(), completion("done-1"), T0).state();
        Transition first = apply(releasing, failedAll(releasing, retryable()), T0);
        RunState retried = apply(first.state(), new RunInput.RetryDue(RUN), first.state().progress().nextAttemptAt()).state();
        Transition second = apply(retried, failedAll(retried, retryable()), first.state().progress().nextAttemptAt());

        assertThat(first.audits().get(0).eventId()).isNotEqualTo(second.audits().get(0).eventId());
    }

    // ---- the lease net

    @Test
    void shouldReleaseARunThatOutlivesItsLeaseAndSkipTheLateCompletion() {
        RunStateMachine leased = new RunStateMachine(policy.withLeases(new LeasePolicy(Duration.ofHours(2), java.util.Map.of())),
                platform -> Optional.of("filesystem"), source);
        RunState active = leased.apply(leased.apply(null, launch("launch-1"), T0).state(), created(1), T0).state();

        Transition early = leased.apply(active, new RunInput.LeaseDue(RUN), T0.plus(Duration.ofMinutes(119)));
        Transition expired = leased.apply(active, new RunInput.LeaseDue(RUN), T0.plus(Duration.ofHours(2)));
        Transition released = leased.apply(expired.state(), deleted(expired.state().progress().attempt()), T0.plus(Duration.ofHours(2)));
        Transition lateCompletion = leased.apply(released.state(), completion("done-1"), T0.plus(Duration.ofHours(3)));

        assertThat(early.changed()).isFalse();
        assertThat(actions(expired)).containsExactly(AuditAction.LEASE_EXPIRED);
        assertThat(expired.commands()).singleElement().isInstanceOf(BackendCommand.Release.class);
        assertThat(released.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(released.audits().get(released.audits().size() - 1)).satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.SECRETS_RELEASED);
            assertThat(a.reason()).isEqualTo(AuditReasons.LEASE_EXPIRED);
        });
        assertThat(lateCompletion.commands()).isEmpty();
        assertThat(lateCompletion.audits()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.COMPLETION_SKIPPED);
            assertThat(a.reason()).isEqualTo(AuditReasons.LEASE_EXPIRED);
        });
    }

    @Test
    void shouldApplyTheLeaseOfTheRunsComputeEnvironmentOnly() {
        RunStateMachine leased = new RunStateMachine(policy.withLeases(new LeasePolicy(null, java.util.Map.of("ce-other", Duration.ofMinutes(1)))),
                platform -> Optional.of("filesystem"), source);
        RunState active = leased.apply(leased.apply(null, launch("launch-1"), T0).state(), created(1), T0).state();

        assertThat(leased.apply(active, new RunInput.LeaseDue(RUN), T0.plus(Duration.ofDays(30))).changed()).isFalse();
        assertThat(machine.apply(active, new RunInput.LeaseDue(RUN), T0.plus(Duration.ofDays(30))).changed())
                .as("no lease configured").isFalse();
    }

    // ---- results that no longer matter, restarts

    @Test
    void shouldIgnoreAResultOfAnAttemptTheRunHasMovedPast() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();
        RunState redriven = apply(provisioning, new RunInput.Redrive(RUN), T0.plusSeconds(1)).state();

        Transition stale = apply(redriven, created(1), T0.plusSeconds(2));

        assertThat(stale.changed()).isFalse();
        assertThat(stale.audits()).isEmpty();
        assertThat(apply(redriven, created(2), T0.plusSeconds(2)).state().phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void shouldDriveARunFoundInFlightAgainAfterARestart() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();
        RunState releasing = apply(active(), completion("done-1"), T0).state();

        Transition reprovision = apply(provisioning, new RunInput.Redrive(RUN), T0.plusSeconds(1));
        Transition rerelease = apply(releasing, new RunInput.Redrive(RUN), T0.plusSeconds(1));

        assertThat(reprovision.commands()).singleElement().isInstanceOf(BackendCommand.Provision.class);
        assertThat(reprovision.state().progress().retryableFailures()).isZero();
        assertThat(rerelease.commands()).singleElement().isInstanceOf(BackendCommand.Release.class);
        assertThat(apply(active(), new RunInput.Redrive(RUN), T0).changed()).isFalse();
    }

    @Test
    void shouldProvisionTheNewVersionWhenAValueChangedBeforeARetry() {
        RunState waiting = failedOnce(launch("launch-1")).state();
        source.put(new Secret(Scope.WORKSPACE, "ws-1", "DB_PASSWORD", 2, SecretValue.of("rotated")));

        Transition retry = apply(waiting, new RunInput.RetryDue(RUN), waiting.progress().nextAttemptAt());

        assertThat(((BackendCommand.Provision) retry.commands().get(0)).secrets())
                .filteredOn(s -> s.name().equals("DB_PASSWORD")).singleElement()
                .satisfies(s -> assertThat(s.version()).isEqualTo(2));
        assertThat(retry.state().manifest()).filteredOn(e -> e.name().equals("DB_PASSWORD"))
                .singleElement().satisfies(e -> assertThat(e.version()).isEqualTo(2));
    }

    // ---- read-your-writes (secretsWatermark)

    @Test
    void shouldWaitForTheSecretsWatermarkBeforeResolving() {
        Map<Integer, Long> applied = new HashMap<>(Map.of(0, 4L));
        RunStateMachine waiting = new RunStateMachine(policy, platform -> Optional.of("filesystem"), source,
                position -> position.reachedBy(applied));

        Transition launched = waiting.apply(null, watermarked(Map.of(0, 7L, 2, 1L)), T0);
        assertThat(launched.state().phase()).isEqualTo(Phase.AWAITING_SECRETS);
        assertThat(launched.commands()).isEmpty();
        assertThat(launched.audits()).isEmpty();

        applied.put(0, 7L);
        Transition stillWaiting = waiting.apply(launched.state(), new RunInput.SecretsCheck(RUN), T0.plusSeconds(1));
        assertThat(stillWaiting.changed()).isFalse();

        applied.put(2, 3L);
        Transition visible = waiting.apply(launched.state(), new RunInput.SecretsCheck(RUN), T0.plusSeconds(2));
        assertThat(visible.state().phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(visible.state().awaitedSecrets()).isNull();
        assertThat(visible.commands()).singleElement().isInstanceOf(BackendCommand.Provision.class);

        Transition provisioned = waiting.apply(visible.state(), created(1), T0.plusSeconds(3));
        assertThat(provisioned.audits()).last().satisfies(summary -> {
            assertThat(summary.action()).isEqualTo(AuditAction.SECRETS_PROVISIONED);
            assertThat(summary.durationMs()).as("timed from the launch, wait included").isEqualTo(3000L);
        });
    }

    @Test
    void shouldNotWaitWhenTheWatermarkIsAlreadyApplied() {
        RunStateMachine caughtUp = new RunStateMachine(policy, platform -> Optional.of("filesystem"), source,
                position -> position.reachedBy(Map.of(0, 9L)));

        Transition t = caughtUp.apply(null, watermarked(Map.of(0, 9L)), T0);

        assertThat(t.state().phase()).isEqualTo(Phase.PROVISIONING);
        assertThat(t.commands()).hasSize(1);
    }

    @Test
    void shouldFailTheProvisioningWhenTheWatermarkIsNotAppliedWithinTheWait() {
        RunStateMachine neverCaughtUp = new RunStateMachine(policy.withSecretsWait(Duration.ofSeconds(5)),
                platform -> Optional.of("filesystem"), source, position -> false);
        RunState awaiting = neverCaughtUp.apply(null, watermarked(Map.of(1, 3L)), T0).state();

        assertThat(neverCaughtUp.apply(awaiting, new RunInput.SecretsCheck(RUN), T0.plusMillis(4999)).changed()).isFalse();
        Transition t = neverCaughtUp.apply(awaiting, new RunInput.SecretsCheck(RUN), T0.plusSeconds(5));

        assertThat(t.state().phase()).isEqualTo(Phase.FAILED);
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).singleElement().satisfies(failed -> {
            assertThat(failed.action()).isEqualTo(AuditAction.PROVISION_FAILED);
            assertThat(failed.errorCode()).isEqualTo(AuditReasons.SECRETS_NOT_VISIBLE);
            assertThat(failed.errorMessage()).contains("{1=3}").contains("PT5S");
        });
    }

    @Test
    void shouldReleaseNothingWhenTheRunCompletesWhileAwaitingItsSecrets() {
        RunStateMachine neverCaughtUp = new RunStateMachine(policy, platform -> Optional.of("filesystem"), source,
                position -> false);
        RunState awaiting = neverCaughtUp.apply(null, watermarked(Map.of(0, 1L)), T0).state();

        Transition t = neverCaughtUp.apply(awaiting, completion("done-1"), T0.plusSeconds(1));

        assertThat(t.state().phase()).isEqualTo(Phase.RELEASED);
        assertThat(t.commands()).isEmpty();
        assertThat(t.audits()).singleElement().satisfies(released -> {
            assertThat(released.action()).isEqualTo(AuditAction.SECRETS_RELEASED);
            assertThat(released.secretCount()).isZero();
            assertThat(released.reason()).isEqualTo(AuditReasons.COMPLETED_DURING_PROVISIONING);
        });
        assertThat(neverCaughtUp.apply(t.state(), new RunInput.SecretsCheck(RUN), T0.plusSeconds(60)).changed()).isFalse();
    }

    @Test
    void shouldNeverPutAValueIntoAStateOrAnAuditFact() {
        RunState released = released();
        failedOnce(launch("launch-2"));

        assertThat(allStates).isNotEmpty().allSatisfy(s -> assertThat(s.toString()).doesNotContain(CANARY));
        assertThat(allAudits).isNotEmpty().allSatisfy(a -> assertThat(a.toString()).doesNotContain(CANARY));
        assertThat(released.toString()).doesNotContain(CANARY);
    }

    // ---- helpers

    private Transition apply(RunState state, RunInput input, Instant now) {
        Transition t = machine.apply(state, input, now);
        allAudits.addAll(t.audits());
        if (t.state() != null) {
            allStates.add(t.state());
        }
        return t;
    }

    private Transition failedOnce(RunInput.Launch launch) {
        RunState provisioning = apply(null, launch, T0).state();
        return apply(provisioning, failedAll(provisioning, retryable()), T0);
    }

    private RunState active() {
        RunState provisioning = apply(null, launch("launch-1"), T0).state();
        return apply(provisioning, created(1), T0).state();
    }

    private RunState released() {
        RunState releasing = apply(active(), completion("done-1"), T0).state();
        return apply(releasing, deleted(releasing.progress().attempt()), T0).state();
    }

    private static RunTarget target(String platform) {
        return new RunTarget(RUN, "ws-1", "alice", "ce-1", platform, null, null, "/secrets");
    }

    private static RunInput.Launch launch(String eventId) {
        return new RunInput.Launch(eventId, RUN, T0, target("slurm"), null);
    }

    private static RunInput.Launch watermarked(Map<Integer, Long> offsets) {
        return new RunInput.Launch("launch-1", RUN, T0, target("slurm"), null, new SecretsPosition(offsets));
    }

    private static RunInput.Completion completion(String eventId) {
        return new RunInput.Completion(eventId, RUN, "ws-1", "SUCCEEDED", T0);
    }

    private static RunInput.BackendDone created(int attempt) {
        return new RunInput.BackendDone(RUN, Operation.PROVISION, attempt, List.of(
                new SecretOutcome.Created("API_TOKEN", "/secrets/run-1/store.json"),
                new SecretOutcome.Created("DB_PASSWORD", "/secrets/run-1/store.json")), 12);
    }

    private static RunInput.BackendDone deleted(int attempt) {
        return new RunInput.BackendDone(RUN, Operation.RELEASE, attempt, List.of(
                new SecretOutcome.Deleted("API_TOKEN", "/secrets/run-1/store.json"),
                new SecretOutcome.Deleted("DB_PASSWORD", "/secrets/run-1/store.json")), 7);
    }

    /** Every secret the run's current call was about failed with the error. */
    private static RunInput.BackendDone failedAll(RunState state, BackendError error) {
        boolean provisioning = state.phase() == Phase.PROVISIONING;
        List<ManifestEntry> subjects = provisioning ? state.manifest() : state.toDelete();
        return new RunInput.BackendDone(RUN, provisioning ? Operation.PROVISION : Operation.RELEASE, state.progress().attempt(),
                subjects.stream().map(e -> (SecretOutcome) new SecretOutcome.Failed(e.name(), error)).toList(), 3);
    }

    private static BackendError retryable() {
        return BackendError.retryable("THROTTLED", "slow down");
    }

    private static List<AuditAction> actions(Transition t) {
        return t.audits().stream().map(AuditFact::action).toList();
    }
}
