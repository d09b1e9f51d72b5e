package io.pipelinesecrets.lifecycle.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.lifecycle.run.AuditFact;
import io.pipelinesecrets.lifecycle.run.AuditReasons;
import io.pipelinesecrets.lifecycle.run.RunInput;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import io.pipelinesecrets.lifecycle.topology.BackendObserver.CallOutcome;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class LifecycleMetricsTest {

    private static final String FS = "filesystem";
    private static final String AWS = "aws-secretsmanager";

    private final PrometheusMeterRegistry registry = ServiceMetrics.newRegistry();
    private final LifecycleMetrics metrics = new LifecycleMetrics(registry).withBackends(List.of(FS, AWS));

    @Test
    void shouldCountProvisionedReleasedAndFailedRunsByBackendAndReasonFromTheAuditFacts() {
        metrics.audited(fact(AuditAction.SECRETS_PROVISIONED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.SECRETS_PROVISIONED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.SECRETS_PROVISIONED, AuditOutcome.SUCCESS).backend(AWS).build());
        metrics.audited(fact(AuditAction.SECRETS_RELEASED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.SECRETS_RELEASED, AuditOutcome.SUCCESS).backend(AWS)
                .reason(AuditReasons.LEASE_EXPIRED).build());
        metrics.audited(fact(AuditAction.PROVISION_FAILED, AuditOutcome.FAILURE).backend(AWS)
                .error("AccessDeniedException", "denied").build());
        metrics.audited(fact(AuditAction.PROVISION_FAILED, AuditOutcome.FAILURE)
                .error(AuditReasons.UNSUPPORTED_PLATFORM, "no backend").build());
        metrics.audited(fact(AuditAction.RELEASE_FAILED, AuditOutcome.FAILURE).backend(AWS)
                .error("AccessDeniedException", "denied").build());

        PrometheusText scrape = scrape();
        assertThat(scrape.sum("pipeline_secrets_runs_provisioned_total", "backend", FS)).isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_runs_provisioned_total", "backend", AWS)).isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_runs_released_total", "backend", FS, "reason", "completed")).isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_runs_released_total", "backend", AWS, "reason", "LEASE_EXPIRED"))
                .isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_runs_failed_total", "backend", AWS, "operation", "provision",
                "error_code", "AccessDeniedException")).isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_runs_failed_total", "backend", "none", "operation", "provision",
                "error_code", "UNSUPPORTED_PLATFORM")).isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_runs_failed_total", "backend", AWS, "operation", "release",
                "error_code", "AccessDeniedException")).isEqualTo(1.0);
    }

    @Test
    void shouldCountCreatedAndDeletedSecretsAndEveryAuditEventByActionAndOutcome() {
        metrics.audited(fact(AuditAction.SECRET_CREATED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.SECRET_CREATED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.SECRET_DELETED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.SECRET_DELETED, AuditOutcome.SUCCESS).backend(FS).reason(AuditReasons.ROLLBACK).build());
        metrics.audited(fact(AuditAction.LAUNCH_SKIPPED, AuditOutcome.SKIPPED).reason(AuditReasons.DUPLICATE).build());
        metrics.audited(fact(AuditAction.PROVISION_RETRY_SCHEDULED, AuditOutcome.FAILURE).backend(AWS).build());

        PrometheusText scrape = scrape();
        assertThat(scrape.sum("pipeline_secrets_secrets_created_total", "backend", FS)).isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_secrets_deleted_total", "backend", FS)).isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_audit_events_total", "action", "SECRET_CREATED", "outcome", "SUCCESS"))
                .isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_audit_events_total", "action", "LAUNCH_SKIPPED", "outcome", "SKIPPED"))
                .isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_audit_events_total")).isEqualTo(6.0);
        assertThat(scrape.sum("pipeline_secrets_runs_provisioned_total")).as("no run was provisioned").isZero();
    }

    @Test
    void shouldTimeBackendCallsAsAHistogramInSecondsByBackendOperationAndOutcome() {
        metrics.called(FS, RunInput.Operation.PROVISION, CallOutcome.SUCCESS, Duration.ofMillis(3));
        metrics.called(FS, RunInput.Operation.PROVISION, CallOutcome.SUCCESS, Duration.ofMillis(70));
        metrics.called(AWS, RunInput.Operation.RELEASE, CallOutcome.RETRYABLE, Duration.ofSeconds(2));
        metrics.called(AWS, RunInput.Operation.PROVISION, CallOutcome.PERMANENT, Duration.ofMillis(40));

        PrometheusText scrape = scrape();
        assertThat(scrape.types()).containsEntry("pipeline_secrets_backend_call_seconds", "histogram");
        assertThat(scrape.sum("pipeline_secrets_backend_call_seconds_count", "backend", FS, "operation", "provision",
                "outcome", "success")).isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_backend_call_seconds_sum", "backend", FS, "operation", "provision",
                "outcome", "success")).isCloseTo(0.073, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(scrape.sum("pipeline_secrets_backend_call_seconds_bucket", "backend", FS, "outcome", "success",
                "le", "0.005")).as("the 3 ms call in the 5 ms bucket").isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_backend_call_seconds_bucket", "backend", FS, "outcome", "success",
                "le", "0.1")).as("both under 100 ms").isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_backend_call_seconds_count", "operation", "release", "outcome", "retryable"))
                .isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_backend_call_seconds_count", "outcome", "permanent")).isEqualTo(1.0);
    }

    @Test
    void shouldCountThrottlesDeadLettersAndOrphansAndStartPerBackendCountersAtZero() {
        PrometheusText before = scrape();
        assertThat(before.samples("pipeline_secrets_backend_throttles_total")).hasSize(2)
                .allSatisfy(s -> assertThat(s.value()).isZero());
        assertThat(before.samples("pipeline_secrets_orphans_deleted_total")).hasSize(2);

        metrics.throttled(AWS);
        metrics.throttled(AWS);
        metrics.deadLettered("platform.workflow.launched", "UNKNOWN_MAGIC_BYTE");
        metrics.deadLettered("platform.secrets", "INVALID_SECRET_RECORD");
        metrics.orphanDeleted(AWS);

        PrometheusText scrape = scrape();
        assertThat(scrape.sum("pipeline_secrets_backend_throttles_total", "backend", AWS)).isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_backend_throttles_total", "backend", FS)).isZero();
        assertThat(scrape.sum("pipeline_secrets_dead_letters_total", "topic", "platform.workflow.launched",
                "code", "UNKNOWN_MAGIC_BYTE")).isEqualTo(1.0);
        assertThat(scrape.sum("pipeline_secrets_dead_letters_total")).isEqualTo(2.0);
        assertThat(scrape.sum("pipeline_secrets_orphans_deleted_total", "backend", AWS)).isEqualTo(1.0);
    }

    @Test
    void shouldExposeTheContractsMeterNamesWithExactlyTheirLabels() {
        new RunStateGauges(registry, Clock.systemUTC(), Duration.ZERO);
        metrics.audited(fact(AuditAction.SECRETS_RELEASED, AuditOutcome.SUCCESS).backend(FS).build());
        metrics.audited(fact(AuditAction.RELEASE_FAILED, AuditOutcome.FAILURE).backend(FS).error("IO_ERROR", "x").build());
        metrics.deadLettered("t", "EMPTY_VALUE");
        metrics.called(FS, RunInput.Operation.RELEASE, CallOutcome.SUCCESS, Duration.ofMillis(1));

        PrometheusText scrape = scrape();
        Map<String, List<String>> contract = Map.ofEntries(
                entry("pipeline_secrets_runs_provisioned_total", List.of("backend")),
                entry("pipeline_secrets_runs_released_total", List.of("backend", "reason")),
                entry("pipeline_secrets_runs_failed_total", List.of("backend", "operation", "error_code")),
                entry("pipeline_secrets_release_failures_outstanding", List.of()),
                entry("pipeline_secrets_secrets_created_total", List.of("backend")),
                entry("pipeline_secrets_secrets_deleted_total", List.of("backend")),
                entry("pipeline_secrets_orphans_deleted_total", List.of("backend")),
                entry("pipeline_secrets_audit_events_total", List.of("action", "outcome")),
                entry("pipeline_secrets_dead_letters_total", List.of("topic", "code")),
                entry("pipeline_secrets_backend_call_seconds_bucket", List.of("backend", "operation", "outcome")),
                entry("pipeline_secrets_backend_call_seconds_count", List.of("backend", "operation", "outcome")),
                entry("pipeline_secrets_backend_call_seconds_sum", List.of("backend", "operation", "outcome")),
                entry("pipeline_secrets_backend_throttles_total", List.of("backend")),
                entry("pipeline_secrets_retry_queue_depth", List.of()),
                entry("pipeline_secrets_runs_in_flight", List.of("phase")),
                entry("pipeline_secrets_oldest_active_run_age_seconds", List.of()));
        contract.forEach((name, labels) -> {
            assertThat(scrape.samples(name)).as(name).isNotEmpty();
            assertThat(scrape.labelKeys(name)).as("labels of " + name).isEqualTo(new TreeSet<>(labels));
        });
        assertThat(scrape.types()).containsEntry("pipeline_secrets_runs_provisioned_total", "counter")
                .containsEntry("pipeline_secrets_runs_in_flight", "gauge")
                .containsEntry("pipeline_secrets_backend_call_seconds", "histogram");
        assertThat(scrape.samples("pipeline_secrets_runs_in_flight")).extracting(s -> s.labels().get("phase"))
                .containsExactlyInAnyOrder("AWAITING_SECRETS", "PROVISIONING", "ACTIVE", "RELEASING", "ROLLING_BACK");
    }

    @Test
    void shouldNeverExposeASecretValuePlantedInAuditFacts() {
        String canary = "canary-metrics-5f1e";
        Secret secret = new Secret(Scope.USER, "user-1", "DB_PASSWORD", 1, SecretValue.of(canary));
        for (AuditAction action : AuditAction.values()) {
            for (AuditOutcome outcome : AuditOutcome.values()) {
                // Every free-text and identity field carries the value: none may become a label or a name.
                metrics.audited(AuditFact.of(action, outcome).run("run-" + canary).owners(canary, canary, canary)
                        .secretName(canary).summary(List.of(canary)).backend(FS)
                        .error("IO_ERROR", "failed writing " + canary + " " + secret).cause(canary)
                        .reason(action == AuditAction.SECRETS_RELEASED ? null : AuditReasons.RETRYABLE_FAILURE).build());
            }
        }
        metrics.called(FS, RunInput.Operation.PROVISION, CallOutcome.SUCCESS, Duration.ofMillis(1));

        String text = registry.scrape();
        assertThat(text).contains("pipeline_secrets_audit_events_total").doesNotContain(canary)
                .doesNotContain(SecretValue.REDACTED);
    }

    @Test
    void shouldServeJvmProcessAndLifecycleMetersFromTheServiceRegistry() {
        try (ServiceMetrics service = ServiceMetrics.create(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
                .withBackends(List.of(FS))) {
            service.lifecycle().audited(fact(AuditAction.SECRETS_PROVISIONED, AuditOutcome.SUCCESS).backend(FS).build());
            PrometheusText scrape = PrometheusText.parse(service.scrape());
            assertThat(scrape.types().keySet()).anyMatch(name -> name.startsWith("jvm_memory"))
                    .anyMatch(name -> name.startsWith("process_"))
                    .contains("pipeline_secrets_runs_in_flight", "pipeline_secrets_oldest_active_run_age_seconds");
            assertThat(scrape.sum("pipeline_secrets_runs_provisioned_total", "backend", FS)).isEqualTo(1.0);
        }
    }

    private static AuditFact.Builder fact(AuditAction action, AuditOutcome outcome) {
        return AuditFact.of(action, outcome).run("run-1");
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }
}
