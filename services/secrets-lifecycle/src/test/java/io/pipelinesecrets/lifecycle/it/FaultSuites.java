package io.pipelinesecrets.lifecycle.it;

import com.google.auth.Credentials;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditEvent;
import io.pipelinesecrets.lifecycle.backend.google.GoogleBackendConfig;
import io.pipelinesecrets.lifecycle.backend.google.GoogleCredentialsSource;
import io.pipelinesecrets.lifecycle.backend.google.GoogleEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretIds;
import io.pipelinesecrets.lifecycle.backend.google.GoogleSecretManagerBackend;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.backend.aws.AwsBackendConfig;
import io.pipelinesecrets.lifecycle.backend.aws.AwsEnvironmentSettings;
import io.pipelinesecrets.lifecycle.backend.aws.AwsSecretsManagerBackend;
import io.pipelinesecrets.lifecycle.backend.aws.RecordingCredentials;
import io.pipelinesecrets.lifecycle.run.LeasePolicy;
import io.pipelinesecrets.lifecycle.run.LifecyclePolicy;
import io.pipelinesecrets.testing.aws.SecretsManagerDouble;
import io.pipelinesecrets.testing.gcp.SecretManagerDouble;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the in-JVM fault suites share: the service's policy, its AWS and Google backends, and the arithmetic of their
 * figures.
 */
final class FaultSuites {

    /**
     * Fast retries, and enough of them to outlast every fault window the suites inject (40 attempts at most 1 s
     * apart): a run must converge when its backend comes back, not fail because the outage was long.
     */
    static final LifecyclePolicy POLICY = new LifecyclePolicy(Duration.ofHours(24), 40, Duration.ofMillis(200),
            Duration.ofSeconds(1));
    static final Duration WAIT = Duration.ofSeconds(180);

    /** The double's plain-text endpoint asks for no credentials: a backend that wants some is misconfigured. */
    private static final GoogleCredentialsSource NO_GOOGLE_CREDENTIALS = new GoogleCredentialsSource() {
        @Override
        public Credentials base() {
            throw new IllegalStateException("the Secret Manager double takes no credentials");
        }

        @Override
        public Credentials impersonating(String serviceAccount) {
            throw new IllegalStateException("the Secret Manager double takes no credentials");
        }
    };

    private FaultSuites() {
    }

    /** The AWS Secrets Manager backend against the double, made afresh at each (re)start of a harness. */
    static List<SecretsBackend> awsBackend(SecretsManagerDouble sm) {
        return List.of(new AwsSecretsManagerBackend(new AwsBackendConfig("faults-instance", new AwsEnvironmentSettings(
                AwsEnvironmentSettings.DEFAULT_NAME_TEMPLATE, false, null, null), Map.of(), Set.of(LoadPlan.REGION), Set.of(),
                null, 200, URI.create(sm.endpoint()), Duration.ofSeconds(20)), new RecordingCredentials()));
    }

    /**
     * The Google Secret Manager backend against the double, made afresh at each (re)start of a harness. Every Google
     * compute environment writes to {@link LoadPlan#GOOGLE_PROJECT}, globally, as the service itself. The client-side
     * limiters are far above the load, so that the double's quota, when a suite sets one, is what throttles.
     */
    static List<SecretsBackend> googleBackend(SecretManagerDouble google) {
        return List.of(new GoogleSecretManagerBackend(new GoogleBackendConfig("faults-instance",
                new GoogleEnvironmentSettings(new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE), false,
                        LoadPlan.GOOGLE_PROJECT, null, null), Map.of(), Set.of(LoadPlan.GOOGLE_PROJECT), Set.of(), Set.of(),
                false, 60_000, 60_000, Duration.ofDays(3), LeasePolicy.NONE, URI.create("http://" + google.endpoint()),
                Duration.ofSeconds(10), null), NO_GOOGLE_CREDENTIALS));
    }

    /** The first (de-duplicated) audit event of each run with this action. */
    static Map<String, AuditEvent> firstByRun(Collection<AuditEvent> events, AuditAction action) {
        Map<String, AuditEvent> byRun = new HashMap<>();
        for (AuditEvent event : events) {
            if (event.getAction() == action) {
                byRun.merge(event.getRunId(), event, (a, b) -> a.getOccurredAt().isBefore(b.getOccurredAt()) ? a : b);
            }
        }
        return byRun;
    }

    /** "p50 x ms, p99 y ms, max z ms (n runs)" of a list of latencies. */
    static String distribution(Collection<Long> millis) {
        if (millis.isEmpty()) {
            return "no runs";
        }
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        return String.format("p50 %d ms, p99 %d ms, max %d ms (%d runs)", sorted.get(sorted.size() / 2),
                sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))), sorted.get(sorted.size() - 1),
                sorted.size());
    }

    /**
     * Ends a suite's load: lets the driver finish, checks that every send succeeded, waits until every launched run
     * converged, then until the service {@linkplain Settled settled}, so that anything written twice after
     * convergence (a replay after a crash, a call result applied twice) shows in the end state.
     *
     * @return the runs launched
     */
    static List<LoadPlan.Run> finishAndConverge(LoadDriver load, EventPublisher publisher, AuditObserver audit,
                                                Settled settled, Duration wait) {
        load.finish(wait);
        assertThat(publisher.failures()).as("sends that failed: " + publisher.firstFailure()).isZero();
        List<LoadPlan.Run> runs = load.launched();
        audit.awaitConverged(runs, load::completionSent, wait);
        settled.await(audit, wait);
        return runs;
    }

    /**
     * Holds the suite for {@code duration}: fault timing and pacing only (how long a fault lasts, how long the load
     * flows between two faults), never a wait for something to happen, which is {@link io.pipelinesecrets.testing.await.Await}'s.
     */
    static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
