package io.pipelinesecrets.serde;

import io.pipelinesecrets.events.AuditAction;
import io.pipelinesecrets.events.AuditOutcome;
import io.pipelinesecrets.events.SecretScope;
import io.pipelinesecrets.testing.events.Events;
import org.apache.avro.specific.SpecificRecord;

import java.util.List;

/** One fully populated instance of every event type, every optional field set, so round trips cover all of them. */
final class SampleEvents {

    static final String CANARY = "canary-value-7f3a9e";

    private SampleEvents() {
    }

    static List<SpecificRecord> everyType() {
        return List.of(
                Events.launched("run-1")
                        .setComputeEnv(Events.awsBatch("eu-west-1"))
                        .setSecretSelection(Events.selection(List.of("DB_PASSWORD"), List.of("API_TOKEN")))
                        .setSecretsWatermark(Events.watermark(2, 41L))
                        .build(),
                Events.launched("run-2").build(),
                Events.completed("run-1").build(),
                Events.userSecret("user-1", "API_TOKEN", CANARY).setVersion(3L).build(),
                Events.audit("run-1", AuditAction.SECRET_CREATED, AuditOutcome.SUCCESS)
                        .setSecretName("API_TOKEN").setSecretScope(SecretScope.USER).setSecretVersion(3L)
                        .setBackend("filesystem").setBackendRef("/shared/secrets/run-1/store.json")
                        .setAttempt(1).setCausationEventId("launched-run-1").setDurationMs(12L)
                        .setSecretCount(2).setSecretNames(List.of("API_TOKEN", "DB_PASSWORD"))
                        .setErrorCode("none").setErrorMessage("none").setReason("test")
                        .build());
    }
}
