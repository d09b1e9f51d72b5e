package io.pipelinesecrets.events;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The schemas carry every field docs/design.md §4 promises, documented, with the conventions that keep them evolvable. */
class EventContractTest {

    @Test
    void shouldCarryEveryFieldOfWorkflowLaunched() {
        assertThat(fieldNames(WorkflowLaunched.getClassSchema())).contains(
                "eventId", "runId", "workspaceId", "userId", "launchedAt", "computeEnv", "secretSelection", "secretsWatermark");
        assertThat(fieldNames(ComputeEnv.getClassSchema())).contains("id", "platform", "region", "accountRoleArn", "secretsPath");
        assertThat(fieldNames(SecretSelection.getClassSchema())).contains("workspaceSecrets", "userSecrets");
    }

    @Test
    void shouldCarryEveryFieldOfWorkflowCompleted() {
        assertThat(fieldNames(WorkflowCompleted.getClassSchema()))
                .contains("eventId", "runId", "workspaceId", "status", "completedAt");
        assertThat(WorkflowStatus.getClassSchema().getEnumSymbols()).contains("SUCCEEDED", "FAILED", "CANCELLED", "UNKNOWN");
    }

    @Test
    void shouldCarryEveryFieldOfSecretRecord() {
        assertThat(fieldNames(SecretRecord.getClassSchema()))
                .contains("scope", "ownerId", "name", "value", "version", "updatedAt", "updatedBy");
    }

    @Test
    void shouldCarryEveryFieldAndActionOfAuditEventButNoValue() {
        assertThat(fieldNames(AuditEvent.getClassSchema())).contains(
                "eventId", "occurredAt", "runId", "workspaceId", "userId", "computeEnvId", "action", "outcome",
                "secretName", "secretScope", "backend", "backendRef", "attempt", "errorCode", "errorMessage",
                "causationEventId", "durationMs", "reason");
        assertThat(fieldNames(AuditEvent.getClassSchema())).noneMatch(name -> name.toLowerCase().contains("value"));
        assertThat(AuditAction.getClassSchema().getEnumSymbols()).contains(
                "SECRET_CREATED", "SECRET_DELETED", "SECRETS_PROVISIONED", "SECRETS_RELEASED",
                "PROVISION_RETRY_SCHEDULED", "RELEASE_RETRY_SCHEDULED", "PROVISION_FAILED", "RELEASE_FAILED",
                "LAUNCH_SKIPPED", "COMPLETION_WITHOUT_LAUNCH", "LEASE_EXPIRED", "ORPHAN_DELETED",
                "EVENT_REJECTED", "SECRET_RECORD_REJECTED");
        assertThat(AuditOutcome.getClassSchema().getEnumSymbols()).contains("SUCCESS", "FAILURE", "SKIPPED");
    }

    @Test
    void shouldGiveEveryEnumADefaultSymbolSoAddingOneStaysCompatible() {
        for (Schema schema : allNamedSchemas()) {
            if (schema.getType() == Schema.Type.ENUM) {
                assertThat(schema.getEnumDefault()).as("default of enum %s", schema.getFullName()).isNotNull();
            }
        }
    }

    @Test
    void shouldDocumentEveryTypeAndField() {
        List<String> undocumented = new ArrayList<>();
        for (Schema schema : allNamedSchemas()) {
            if (schema.getDoc() == null || schema.getDoc().isBlank()) {
                undocumented.add(schema.getFullName());
            }
            if (schema.getType() == Schema.Type.RECORD) {
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null || field.doc().isBlank()) {
                        undocumented.add(schema.getFullName() + "." + field.name());
                    }
                }
            }
        }
        assertThat(undocumented).isEmpty();
    }

    @Test
    void shouldUseTheTimestampLogicalTypeForEveryPointInTime() {
        List<String> plainLongs = new ArrayList<>();
        for (Schema schema : allNamedSchemas()) {
            if (schema.getType() != Schema.Type.RECORD) {
                continue;
            }
            for (Schema.Field field : schema.getFields()) {
                if (field.name().endsWith("At") && !(field.schema().getLogicalType() instanceof LogicalTypes.TimestampMillis)) {
                    plainLongs.add(schema.getFullName() + "." + field.name());
                }
            }
        }
        assertThat(plainLongs).isEmpty();
    }

    private static Set<String> fieldNames(Schema record) {
        Set<String> names = new HashSet<>();
        record.getFields().forEach(f -> names.add(f.name()));
        return names;
    }

    private static Set<Schema> allNamedSchemas() {
        Set<Schema> seen = new HashSet<>();
        for (Schema root : List.of(WorkflowLaunched.getClassSchema(), WorkflowCompleted.getClassSchema(),
                SecretRecord.getClassSchema(), AuditEvent.getClassSchema())) {
            collect(root, seen);
        }
        return seen;
    }

    private static void collect(Schema schema, Set<Schema> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.add(schema)) {
                    schema.getFields().forEach(f -> collect(f.schema(), seen));
                }
            }
            case ENUM -> seen.add(schema);
            case UNION -> schema.getTypes().forEach(t -> collect(t, seen));
            case ARRAY -> collect(schema.getElementType(), seen);
            case MAP -> collect(schema.getValueType(), seen);
            default -> {
            }
        }
    }
}
