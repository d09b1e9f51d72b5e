package io.pipelinesecrets.lifecycle.it;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.testing.events.Events;
import io.pipelinesecrets.testing.kafka.KafkaClusterExtension;
import io.pipelinesecrets.testing.kafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call of a task's previous owner that lands after the run moved on (the hardening issue's sixth case): the old
 * owner's provisioning is held on its way into the backend while the task moves to another instance, which drives
 * the run again, provisions it and, on its completion, releases it. Then the held call is let go: it must change
 * nothing, or the run's secrets would be re-created after their release, with nobody left to delete them.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FencedCallIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * A call that never answers (a hard-mounted share that hangs, the hardening issue's third case): past its
     * deadline it is withdrawn and retried, so the run is provisioned by the next attempt and released on completion.
     */
    @Test
    void shouldProvisionAndReleaseARunWhoseFirstCallNeverAnswers(TestKafka kafka, @TempDir Path work) throws Exception {
        AtomicReference<HoldingBackend> holding = new AtomicReference<>();
        LifecyclePolicy policy = new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2))
                .withCallDeadline(Duration.ofSeconds(2));
        try (ServiceHarness harness = ServiceHarness.startWrappingFilesystem(kafka, work, policy, filesystem -> {
            holding.set(new HoldingBackend(filesystem, "run-hung"));
            return holding.get();
        })) {
            harness.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "hung-canary").build());
            harness.launch(Events.launched("run-hung").setComputeEnv(Events.slurm(harness.secretsRoot().toString())).build());
            holding.get().awaitHeld(WAIT);

            harness.awaitAction("run-hung", AuditAction.SECRETS_PROVISIONED);
            harness.complete(Events.completed("run-hung").build());
            harness.awaitAction("run-hung", AuditAction.SECRETS_RELEASED);

            assertThat(harness.auditOf("run-hung")).filteredOn(e -> e.getAction() == AuditAction.PROVISION_RETRY_SCHEDULED)
                    .singleElement().satisfies(retry -> assertThat(retry.getErrorCode()).isEqualTo("DEADLINE_EXCEEDED"));
            assertThat(holding.get().heldFence().isWithdrawn()).isTrue();
            assertThat(harness.secretsRoot().resolve("run-hung")).doesNotExist();
        } finally {
            if (holding.get() != null) {
                holding.get().shutDown();
            }
        }
    }

    @Test
    void shouldLeaveNothingBehindWhenTheOldOwnersCallLandsAfterTheNewOwnerReleasedTheRun(TestKafka kafka,
                                                                                         @TempDir Path work) throws Exception {
        AtomicReference<HoldingBackend> holding = new AtomicReference<>();
        LifecyclePolicy policy = new LifecyclePolicy(Duration.ofHours(24), 8, Duration.ofMillis(200), Duration.ofSeconds(2));
        ServiceHarness oldOwner = ServiceHarness.startWrappingFilesystem(kafka, work.resolve("old"), policy, filesystem -> {
            holding.set(new HoldingBackend(filesystem, "run-held"));
            return holding.get();
        });
        ServiceHarness newOwner = null;
        try {
            oldOwner.publishSecret(Events.workspaceSecret(Events.WORKSPACE, "DB_PASSWORD", "held-canary").build());
            oldOwner.launch(Events.launched("run-held").setComputeEnv(Events.slurm(oldOwner.secretsRoot().toString())).build());
            holding.get().awaitHeld(WAIT);

            newOwner = ServiceHarness.startPeer(oldOwner, work.resolve("new"));
            oldOwner.stopService();
            assertThat(holding.get().heldFence().isWithdrawn()).as("the old owner's task closed").isTrue();

            newOwner.awaitAction("run-held", AuditAction.SECRETS_PROVISIONED);
            assertThat(newOwner.storeFile("run-held")).as("the new owner provisioned the run").exists();
            newOwner.complete(Events.completed("run-held").build());
            newOwner.awaitAction("run-held", AuditAction.SECRETS_RELEASED);
            assertThat(newOwner.secretsRoot().resolve("run-held")).doesNotExist();

            List<SecretOutcome> late = holding.get().letGo(WAIT);

            assertThat(late).singleElement().isInstanceOfSatisfying(SecretOutcome.Failed.class,
                    failed -> assertThat(failed.error().code()).isEqualTo(CallFence.WITHDRAWN));
            assertThat(newOwner.secretsRoot().resolve("run-held")).as("nothing left in the backend").doesNotExist();
        } finally {
            if (newOwner != null) {
                newOwner.close();
            }
            oldOwner.close();
            if (holding.get() != null) {
                holding.get().shutDown();
            }
        }
    }
}
