package io.pipelinesecrets.testing.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pipelinesecrets.testing.aws.SecretCall.Outcome;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The operations: reads a request's members, asks the {@link SecretStore}, renders the answer. Failures are
 * {@link ServiceError}s. CreateSecret and DeleteSecret calls are recorded in {@link RequestStats} with their outcome.
 */
final class SecretsManagerApi {

    private static final int MAX_BATCH_IDS = 20;

    private final SecretStore store;
    private final RequestStats stats;
    private final Map<String, Function<JsonNode, ObjectNode>> operations;

    SecretsManagerApi(SecretStore store, RequestStats stats) {
        this.store = store;
        this.stats = stats;
        this.operations = Map.of(
                Operations.CREATE_SECRET, this::createSecret,
                Operations.DELETE_SECRET, this::deleteSecret,
                Operations.RESTORE_SECRET, this::restoreSecret,
                Operations.DESCRIBE_SECRET, this::describeSecret,
                Operations.GET_SECRET_VALUE, this::getSecretValue,
                Operations.PUT_SECRET_VALUE, this::putSecretValue,
                Operations.TAG_RESOURCE, this::tagResource,
                Operations.UNTAG_RESOURCE, this::untagResource,
                Operations.LIST_SECRETS, this::listSecrets,
                Operations.BATCH_GET_SECRET_VALUE, this::batchGetSecretValue);
    }

    boolean supports(String operation) {
        return operations.containsKey(operation);
    }

    ObjectNode invoke(String operation, JsonNode request) {
        return operations.get(operation).apply(request);
    }

    private ObjectNode createSecret(JsonNode request) {
        try {
            String name = Requests.name(request);
            String token = Requests.clientRequestToken(request);
            SecretStore.Created created = store.create(new SecretStore.NewSecret(name, token, Requests.value(request),
                    Requests.optionalTextUpTo(request, "Description", 2048),
                    Requests.optionalTextUpTo(request, "KmsKeyId", 2048), Requests.tags(request)));
            stats.recordCall(SecretCall.succeeded(Operations.CREATE_SECRET, name, token,
                    created.replay() ? Outcome.IDEMPOTENT_REPLAY : Outcome.CREATED));
            ObjectNode response = Responses.identity(created.secret().arn(), created.secret().name());
            if (created.versionId() != null) {
                response.put("VersionId", created.versionId());
            }
            return response;
        } catch (ServiceError e) {
            recordFailedCall(Operations.CREATE_SECRET, request, e);
            throw e;
        }
    }

    private ObjectNode deleteSecret(JsonNode request) {
        try {
            String secretId = Requests.secretId(request);
            boolean force = Requests.bool(request, "ForceDeleteWithoutRecovery");
            Integer window = Requests.optionalInt(request, "RecoveryWindowInDays");
            if (force && window != null) {
                throw ServiceError.invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with "
                        + "RecoveryWindowInDays.");
            }
            if (window != null && (window < 7 || window > 30)) {
                throw ServiceError.invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days "
                        + "(inclusive).");
            }
            SecretStore.Deleted deleted = store.delete(secretId, force, window == null ? 30 : window);
            stats.recordCall(SecretCall.succeeded(Operations.DELETE_SECRET, deleted.name(), null, deleted.outcome()));
            return Responses.identity(deleted.arn(), deleted.name())
                    .put("DeletionDate", Responses.epochSeconds(deleted.deletionDate()));
        } catch (ServiceError e) {
            recordFailedCall(Operations.DELETE_SECRET, request, e);
            throw e;
        }
    }

    /** Records a CreateSecret or DeleteSecret call that failed, including one an injected fault stopped. */
    void recordFailedCall(String operation, JsonNode request, ServiceError error) {
        boolean create = operation.equals(Operations.CREATE_SECRET);
        String name = textOrNull(request, create ? "Name" : "SecretId");
        String token = create ? textOrNull(request, "ClientRequestToken") : null;
        stats.recordCall(SecretCall.failed(operation, name, token, error.code()));
    }

    private static String textOrNull(JsonNode request, String member) {
        return request.hasNonNull(member) ? request.get(member).asText() : null;
    }

    private ObjectNode restoreSecret(JsonNode request) {
        SecretSnapshot secret = store.restore(Requests.secretId(request));
        return Responses.identity(secret.arn(), secret.name());
    }

    private ObjectNode describeSecret(JsonNode request) {
        return Responses.describe(store.describe(Requests.secretId(request)));
    }

    private ObjectNode getSecretValue(JsonNode request) {
        SecretSnapshot secret = store.liveSecret(Requests.secretId(request));
        String versionId = Requests.optionalText(request, "VersionId");
        String stage = Requests.optionalText(request, "VersionStage");
        if (versionId == null && stage == null) {
            stage = SecretVersion.CURRENT;
        }
        String wantedStage = stage;
        SecretVersion version = (versionId != null ? secret.version(versionId) : secret.versionWithStage(stage))
                .filter(v -> wantedStage == null || v.hasStage(wantedStage))
                .orElseThrow(() -> ServiceError.notFound("Secrets Manager can't find the specified secret value for "
                        + (versionId != null ? "VersionId: " + versionId : "staging label: " + wantedStage)));
        return Responses.value(secret, version);
    }

    private ObjectNode putSecretValue(JsonNode request) {
        String secretId = Requests.secretId(request);
        String token = Requests.clientRequestToken(request);
        SecretValue value = Requests.value(request);
        if (value == null) {
            throw ServiceError.invalidParameter("You must provide either SecretString or SecretBinary.");
        }
        SecretStore.Put put = store.put(secretId, token, value, Requests.texts(request, "VersionStages"));
        ObjectNode response = Responses.identity(put.secret().arn(), put.secret().name())
                .put("VersionId", put.version().versionId());
        response.set("VersionStages", Responses.strings(put.version().stages()));
        return response;
    }

    private ObjectNode tagResource(JsonNode request) {
        String secretId = Requests.secretId(request);
        Map<String, String> tags = Requests.tags(request);
        if (tags.isEmpty()) {
            throw Requests.constraint("Tags", "Member must not be null");
        }
        store.tag(secretId, tags, Requests.MAX_TAGS);
        return Responses.object();
    }

    private ObjectNode untagResource(JsonNode request) {
        store.untag(Requests.secretId(request), Requests.texts(request, "TagKeys"));
        return Responses.object();
    }

    private ObjectNode listSecrets(JsonNode request) {
        int maxResults = Requests.intInRange(request, "MaxResults", 1, 100, 100);
        List<SecretFilter> filters = SecretFilter.parse(request);
        List<SecretSnapshot> matching = store.listable(Requests.bool(request, "IncludePlannedDeletion")).stream()
                .filter(secret -> SecretFilter.matchesAll(filters, secret))
                .toList();
        Pages.Page<SecretSnapshot> page = Pages.page(matching, SecretSnapshot::name,
                Requests.optionalText(request, "NextToken"), maxResults);
        ObjectNode response = Responses.object();
        ArrayNode list = response.putArray("SecretList");
        page.items().forEach(secret -> list.add(Responses.listEntry(secret)));
        return withNextToken(response, page);
    }

    private ObjectNode batchGetSecretValue(JsonNode request) {
        List<String> ids = Requests.texts(request, "SecretIdList");
        boolean byFilters = request.hasNonNull("Filters");
        if (ids.isEmpty() == !byFilters) {
            throw ServiceError.invalidParameter("Specify either SecretIdList or Filters, but not both.");
        }
        if (ids.size() > MAX_BATCH_IDS) {
            throw Requests.constraint("SecretIdList", "Member must have length less than or equal to " + MAX_BATCH_IDS);
        }
        ObjectNode response = Responses.object();
        ArrayNode values = response.putArray("SecretValues");
        ArrayNode errors = response.putArray("Errors");
        if (!byFilters) {
            ids.forEach(id -> batchEntry(id, values, errors));
            return response;
        }
        List<SecretFilter> filters = SecretFilter.parse(request);
        List<SecretSnapshot> matching = store.listable(false).stream()
                .filter(secret -> secret.currentVersion().isPresent())
                .filter(secret -> SecretFilter.matchesAll(filters, secret))
                .toList();
        Pages.Page<SecretSnapshot> page = Pages.page(matching, SecretSnapshot::name,
                Requests.optionalText(request, "NextToken"), Requests.intInRange(request, "MaxResults", 1, 20, 20));
        page.items().forEach(secret -> values.add(Responses.value(secret, secret.currentVersion().orElseThrow())));
        return withNextToken(response, page);
    }

    /** One SecretIdList entry: a value, or an error entry; a batch answers 200 whatever its entries meet. */
    private void batchEntry(String secretId, ArrayNode values, ArrayNode errors) {
        try {
            SecretSnapshot secret = store.liveSecret(secretId);
            SecretVersion current = secret.currentVersion().orElseThrow(() -> ServiceError.notFound(
                    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"));
            values.add(Responses.value(secret, current));
        } catch (ServiceError e) {
            errors.addObject().put("SecretId", secretId).put("ErrorCode", e.code()).put("Message", e.getMessage());
        }
    }

    private static ObjectNode withNextToken(ObjectNode response, Pages.Page<?> page) {
        if (page.nextToken() != null) {
            response.put("NextToken", page.nextToken());
        }
        return response;
    }
}
