package io.pipelinesecrets.lifecycle.backend.aws;

import io.pipelinesecrets.lifecycle.backend.AsyncRateLimiter;
import io.pipelinesecrets.lifecycle.backend.BackendThreads;
import io.pipelinesecrets.lifecycle.backend.FencedCalls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.backend.RunLogContext;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.pipelinesecrets.lifecycle.backend.FencedCalls.all;
import static io.pipelinesecrets.lifecycle.backend.FencedCalls.failAll;
import static io.pipelinesecrets.lifecycle.backend.FencedCalls.unlessWithdrawn;

/**
 * Run secrets in AWS Secrets Manager, where AWS Batch jobs read them ({@code valueFrom} = the secret's ARN, or
 * {@code <arn>:<NAME>::} in bundle mode).
 *
 * <ul>
 *   <li>Creates carry a deterministic {@code ClientRequestToken}, so every retry and replay is idempotent.</li>
 *   <li>Every secret is tagged {@code managed-by=<instance id>} (plus run, workspace, user, scope, deployment), each
 *       value in a form the tag rules accept ({@link TagValues}). A name that already exists is adopted only when
 *       it carries this instance's mark for this run; anything else is a permanent failure and is never
 *       overwritten or deleted. Adopting, the backend makes the secret's current value the run's value, reading
 *       it back when the token cannot tell ({@link HeldValues}).</li>
 *   <li>Deletes use the ARN recorded in the run's manifest and {@code ForceDeleteWithoutRecovery}; a secret that
 *       is already gone counts as deleted.</li>
 *   <li>Create, put and delete calls pass a client-side rate limiter per account and region, so bursts queue
 *       here rather than meet throttling.</li>
 *   <li>Regions and roles are checked against the configuration and the run's compute-environment binding before
 *       any call ({@link AwsComputeEnvBindings}).</li>
 * </ul>
 * Calls never block the caller; every returned future completes normally with one outcome per secret.
 */
public final class AwsSecretsManagerBackend implements SecretsBackend {

    public static final String NAME = "aws-secretsmanager";
    public static final String TAG_MANAGED_BY = "managed-by";
    public static final String TAG_RUN_ID = "run-id";
    public static final String TAG_WORKSPACE_ID = "workspace-id";
    public static final String TAG_USER_ID = "user-id";
    public static final String TAG_SCOPE = "scope";
    /** Which deployment (Kafka cluster and application id) created the secret: see {@link io.pipelinesecrets.lifecycle.port.Deployment}. */
    public static final String TAG_DEPLOYMENT = "deployment";
    /** Secrets Manager's limit for SecretString. */
    public static final int MAX_SECRET_BYTES = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(AwsSecretsManagerBackend.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsBackendConfig config;
    private final BackendThreads threads;
    private final SecretsManagerClients clients;
    private final AtomicLong throttlesSeen = new AtomicLong();

    public AwsSecretsManagerBackend(AwsBackendConfig config, CredentialsFactory credentials) {
        this.config = config;
        this.threads = new BackendThreads("aws-backend");
        this.clients = new SecretsManagerClients(config, credentials, threads.completions(), threads.timer());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isThrottling(BackendError error) {
        return AwsErrors.isThrottlingCode(error.code());
    }

    /** Throttling errors that got past the SDK's own retries and reached the service's retry logic. */
    public long throttlesSeen() {
        return throttlesSeen.get();
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<Secret> secrets, CallFence fence) {
        List<String> names = secrets.stream().map(Secret::name).toList();
        Optional<BackendError> refused = refusal(run);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(failAll(names, refused.get()));
        }
        AwsEnvironmentSettings settings = config.settingsFor(run.computeEnvId());
        if (settings.bundle()) {
            return provisionBundle(run, settings, secrets, fence);
        }
        List<CompletableFuture<SecretOutcome>> outcomes = new ArrayList<>();
        for (Secret secret : secrets) {
            String awsName = settings.secretName(run.runId(), secret.name());
            Optional<String> badName = SecretNames.problem(awsName);
            if (badName.isPresent()) {
                outcomes.add(CompletableFuture.completedFuture(
                        new SecretOutcome.Failed(secret.name(), BackendError.permanent("INVALID_NAME", badName.get()))));
                continue;
            }
            outcomes.add(createOrAdopt(run, settings, awsName, RequestTokens.forSecret(config.deployment(), run.runId(), secret.name(), secret.version()),
                    secret.value().reveal(), scopeOf(secret.scope()), fence)
                    .thenApply(arn -> (SecretOutcome) new SecretOutcome.Created(secret.name(), arn))
                    .exceptionally(failure -> new SecretOutcome.Failed(secret.name(), failed(run, failure))));
        }
        return all(outcomes);
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence) {
        List<String> names = secrets.stream().map(StoredSecret::name).toList();
        Optional<BackendError> refused = refusal(run);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(failAll(names, refused.get()));
        }
        AwsEnvironmentSettings settings = config.settingsFor(run.computeEnvId());
        // In bundle mode every name shares one secret: delete it once, report it for each name.
        Map<String, List<StoredSecret>> byTarget = new LinkedHashMap<>();
        for (StoredSecret secret : secrets) {
            String target = secret.backendRef() != null ? secret.backendRef()
                    : settings.bundle() ? settings.bundleName(run.runId()) : settings.secretName(run.runId(), secret.name());
            byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(secret);
        }
        List<CompletableFuture<List<SecretOutcome>>> outcomes = new ArrayList<>();
        byTarget.forEach((target, members) -> outcomes.add(
                deleteIfOurs(run, target, target.startsWith("arn:"), false, fence)
                        .thenApply(v -> members.stream()
                                .map(m -> (SecretOutcome) new SecretOutcome.Deleted(m.name(), m.backendRef())).toList())
                        .exceptionally(failure -> {
                            BackendError error = failed(run, failure);
                            return members.stream().map(m -> (SecretOutcome) new SecretOutcome.Failed(m.name(), error)).toList();
                        })));
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(v -> outcomes.stream().flatMap(f -> f.join().stream()).toList());
    }

    /**
     * Every secret tagged {@code managed-by=<instance id>} in every allowed region, with the service's own
     * credentials and with each allowed role, following {@code NextToken} pages. ListSecrets filters on tag keys
     * and tag values separately, so the pair is checked again here.
     */
    @Override
    public CompletableFuture<List<OwnedEntry>> listOwned() {
        List<CompletableFuture<List<OwnedEntry>>> listings = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        roles.add(null);
        roles.addAll(config.allowedRoleArns().stream().sorted().toList());
        for (String region : config.allowedRegions().stream().sorted().toList()) {
            for (String role : roles) {
                listings.add(listOwned(region, role, null, new ArrayList<>()));
            }
        }
        // A role of the service's own account lists the same secrets again: one entry per ARN, the first found.
        return CompletableFuture.allOf(listings.toArray(CompletableFuture[]::new))
                .thenApply(v -> List.copyOf(listings.stream().flatMap(f -> f.join().stream())
                        .collect(Collectors.toMap(OwnedEntry::ref, entry -> entry, (first, again) -> first,
                                LinkedHashMap::new)).values()));
    }

    private CompletableFuture<List<OwnedEntry>> listOwned(String region, String role, String nextToken,
                                                          List<OwnedEntry> found) {
        return clients.client(region, role).listSecrets(request -> request.nextToken(nextToken).maxResults(100)
                        .filters(Filter.builder().key(FilterNameStringType.TAG_KEY).values(TAG_MANAGED_BY).build(),
                                Filter.builder().key(FilterNameStringType.TAG_VALUE).values(config.instanceId()).build()))
                .thenCompose(page -> {
                    for (SecretListEntry secret : page.secretList()) {
                        Map<String, String> tags = new LinkedHashMap<>();
                        secret.tags().forEach(tag -> tags.put(tag.key(), tag.value()));
                        String runId = tags.get(TAG_RUN_ID) == null ? null : TagValues.decode(tags.get(TAG_RUN_ID));
                        if (config.instanceId().equals(tags.get(TAG_MANAGED_BY)) && ofThisDeployment(tags) && runId != null
                                && secret.deletedDate() == null) {
                            found.add(new OwnedEntry(NAME, runId, secret.arn(), secret.createdDate(),
                                    RunTarget.located(runId, region, role, null)));
                        }
                    }
                    return page.nextToken() == null ? CompletableFuture.completedFuture(found)
                            : listOwned(region, role, page.nextToken(), found);
                });
    }

    @Override
    public CompletableFuture<SecretOutcome> deleteOwned(OwnedEntry entry) {
        // By ARN but not trusting it blindly: deleteIfOurs describes it and checks the mark for the run first.
        return deleteIfOurs(entry.where(), entry.ref(), false, true, CallFence.open())
                .thenApply(v -> (SecretOutcome) new SecretOutcome.Deleted(entry.ref(), entry.ref()))
                .exceptionally(failure -> new SecretOutcome.Failed(entry.ref(), failed(entry.where(), failure)));
    }

    private CompletableFuture<List<SecretOutcome>> provisionBundle(RunTarget run, AwsEnvironmentSettings settings,
                                                                  List<Secret> secrets, CallFence fence) {
        List<String> names = secrets.stream().map(Secret::name).toList();
        Map<String, String> content = new LinkedHashMap<>();
        secrets.forEach(s -> content.put(s.name(), s.value().reveal()));
        String json;
        try {
            json = JSON.writeValueAsString(content);
        } catch (JsonProcessingException e) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("SERIALISATION_FAILED",
                    "cannot write the bundle as JSON: " + e.getClass().getSimpleName())));
        }
        int size = json.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_SECRET_BYTES) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("BUNDLE_TOO_LARGE",
                    "the bundle of " + secrets.size() + " secrets is " + size + " bytes, over Secrets Manager's "
                            + MAX_SECRET_BYTES + "-byte limit; turn bundle mode off for compute environment "
                            + run.computeEnvId())));
        }
        String versions = secrets.stream().map(s -> s.name() + ":" + s.version()).collect(Collectors.joining(","));
        return createOrAdopt(run, settings, settings.bundleName(run.runId()), RequestTokens.forBundle(config.deployment(), run.runId(), versions),
                json, "bundle", fence)
                .thenApply(arn -> names.stream().map(n -> (SecretOutcome) new SecretOutcome.Created(n, arn)).toList())
                .exceptionally(failure -> failAll(names, failed(run, failure)));
    }

    /** Creates the secret; if the name exists and is this run's (same mark), makes it hold this value and adopts it. */
    private CompletableFuture<String> createOrAdopt(RunTarget run, AwsEnvironmentSettings settings, String awsName,
                                                    String token, String value, String scope, CallFence fence) {
        SecretsManagerAsyncClient client = clients.client(run.region(), run.accountRoleArn());
        AsyncRateLimiter limiter = clients.limiter(run.region(), run.accountRoleArn());
        return limiter.acquire()
                .thenCompose(permit -> unlessWithdrawn(fence, () -> client.createSecret(request -> request.name(awsName)
                        .clientRequestToken(token).secretString(value).kmsKeyId(settings.kmsKeyId())
                        .description(settings.description()).tags(tags(run, scope)))))
                .thenApply(response -> response.arn())
                .exceptionallyCompose(failure -> AwsErrors.unwrap(failure) instanceof ResourceExistsException
                        ? adopt(run, client, limiter, awsName, token, value, fence)
                        : CompletableFuture.failedFuture(failure));
    }

    private CompletableFuture<String> adopt(RunTarget run, SecretsManagerAsyncClient client, AsyncRateLimiter limiter,
                                            String awsName, String token, String value, CallFence fence) {
        return unlessWithdrawn(fence, () -> client.describeSecret(request -> request.secretId(awsName))).thenCompose(existing -> {
            if (!ours(existing, run, false)) {
                return CompletableFuture.failedFuture(new NotOursException("secret " + awsName + " exists and is not "
                        + "managed by " + config.instanceId() + " for run " + run.runId() + "; it was left untouched"));
            }
            if (existing.deletedDate() != null) {
                return CompletableFuture.failedFuture(new NameBusyException("secret " + awsName
                        + " is still being deleted; Secrets Manager frees the name within seconds"));
            }
            if (!existing.versionIdsToStages().containsKey(token)) {
                // Ours, written with another version of the value: make this one current, idempotent by its token.
                return putValue(client, limiter, existing.arn(), token, value, fence);
            }
            // The token's version exists, yet a producer may have changed the value without a new version, so the
            // token is no proof of the value: compare what the secret holds as current with what the run needs.
            return holdsAsCurrent(client, existing, value, fence).thenCompose(holds -> holds
                    ? CompletableFuture.completedFuture(existing.arn())
                    : putValue(client, limiter, existing.arn(), RequestTokens.fresh(), value, fence));
        });
    }

    /**
     * Whether the secret's current version holds exactly {@code value}. The current one rather than the token's: once
     * a changed value was written under a fresh token, a replay then finds it current and writes nothing again.
     * GetSecretValue needs no permit: its quota is 10,000 per second, the limiter guards the ~50/s writes.
     */
    private CompletableFuture<Boolean> holdsAsCurrent(SecretsManagerAsyncClient client, DescribeSecretResponse existing,
                                                      String value, CallFence fence) {
        Optional<String> current = HeldValues.currentVersion(existing);
        if (current.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        return unlessWithdrawn(fence, () -> client.getSecretValue(request -> request.secretId(existing.arn())
                .versionId(current.get())))
                .thenApply(held -> HeldValues.sameValue(held.secretString(), value));
    }

    private CompletableFuture<String> putValue(SecretsManagerAsyncClient client, AsyncRateLimiter limiter, String arn,
                                               String token, String value, CallFence fence) {
        return limiter.acquire().thenCompose(permit -> unlessWithdrawn(fence, () -> client.putSecretValue(request ->
                        request.secretId(arn).clientRequestToken(token).secretString(value))))
                .thenApply(response -> arn);
    }

    /** Deletes by ARN (the manifest's, which names exactly what was created) or, without one, by name if marked ours. */
    /** @param exactly require this deployment's mark; otherwise a secret marked before deployments were told apart is ours too */
    private CompletableFuture<Void> deleteIfOurs(RunTarget run, String target, boolean isArn, boolean exactly, CallFence fence) {
        SecretsManagerAsyncClient client = clients.client(run.region(), run.accountRoleArn());
        AsyncRateLimiter limiter = clients.limiter(run.region(), run.accountRoleArn());
        CompletableFuture<String> arn = isArn ? CompletableFuture.completedFuture(target)
                : unlessWithdrawn(fence, () -> client.describeSecret(request -> request.secretId(target)))
                .thenCompose(existing -> ours(existing, run, exactly)
                ? CompletableFuture.completedFuture(existing.arn())
                : CompletableFuture.failedFuture(new NotOursException("secret " + target + " is not managed by "
                + config.instanceId() + " for run " + run.runId() + "; it was left untouched")));
        return arn.thenCompose(id -> limiter.acquire().thenCompose(permit -> unlessWithdrawn(fence,
                        () -> client.deleteSecret(request -> request.secretId(id).forceDeleteWithoutRecovery(true)))))
                .thenApply(response -> (Void) null)
                .exceptionallyCompose(failure -> AwsErrors.unwrap(failure) instanceof ResourceNotFoundException
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(failure));
    }

    /**
     * Whether a secret is this deployment's for the run. Another deployment's never is (two deployments with one
     * instance id in one account would otherwise adopt and delete each other's); one marked before deployments were
     * told apart is, unless {@code exactly} (the reconciler, which never deletes what it cannot tell is its own).
     */
    private boolean ours(DescribeSecretResponse secret, RunTarget run, boolean exactly) {
        Map<String, String> tags = new LinkedHashMap<>();
        secret.tags().forEach(tag -> tags.put(tag.key(), tag.value()));
        boolean deployment = ofThisDeployment(tags) || (!exactly && !tags.containsKey(TAG_DEPLOYMENT));
        return config.instanceId().equals(tags.get(TAG_MANAGED_BY))
                && TagValues.encode(run.runId()).equals(tags.get(TAG_RUN_ID)) && deployment;
    }

    private boolean ofThisDeployment(Map<String, String> tags) {
        return Objects.equals(tags.get(TAG_DEPLOYMENT), config.deployment() == null ? null : config.deployment().mark());
    }

    /**
     * The secret's tags. Every value goes through {@link TagValues}: run ids, scopes, the deployment mark and the
     * instance id (checked at start) always fit as they are, while workspace and user ids may need encoding.
     */
    private List<Tag> tags(RunTarget run, String scope) {
        List<Tag> tags = new ArrayList<>();
        tags.add(tag(TAG_MANAGED_BY, config.instanceId()));
        tags.add(tag(TAG_RUN_ID, run.runId()));
        tags.add(tag(TAG_WORKSPACE_ID, nullToEmpty(run.workspaceId())));
        tags.add(tag(TAG_USER_ID, nullToEmpty(run.userId())));
        tags.add(tag(TAG_SCOPE, scope));
        if (config.deployment() != null) {
            tags.add(tag(TAG_DEPLOYMENT, config.deployment().mark()));
        }
        return tags;
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(TagValues.encode(value)).build();
    }

    /**
     * The confused-deputy guard: only configured regions and roles, and of those only what the run's compute
     * environment is bound to. Checked before any call, on provisioning and release alike.
     */
    private Optional<BackendError> refusal(RunTarget run) {
        if (run.region() == null || run.region().isBlank()) {
            return Optional.of(BackendError.permanent("REGION_MISSING", "compute environment " + run.computeEnvId()
                    + " names no region"));
        }
        AwsComputeEnvBindings.Allowance regions = config.regionsOf(run.computeEnvId());
        if (!regions.permits(run.region())) {
            return Optional.of(BackendError.permanent("REGION_NOT_ALLOWED", "region " + run.region()
                    + " is not among " + regions.source()));
        }
        AwsComputeEnvBindings.Allowance roles = config.roleArnsOf(run.computeEnvId());
        if (run.accountRoleArn() != null && !roles.permits(run.accountRoleArn())) {
            return Optional.of(BackendError.permanent("ROLE_NOT_ALLOWED", "role " + run.accountRoleArn()
                    + " is not among " + roles.source()));
        }
        return Optional.empty();
    }

    /** Runs on whichever thread completed the call: the run's id goes into the MDC for the log line. */
    private BackendError failed(RunTarget run, Throwable failure) {
        return RunLogContext.withRunId(run.runId(), () -> classified(failure));
    }

    private BackendError classified(Throwable failure) {
        Throwable cause = AwsErrors.unwrap(failure);
        if (cause instanceof NotOursException notOurs) {
            return BackendError.permanent("NAME_OWNED_BY_ANOTHER", notOurs.getMessage());
        }
        if (cause instanceof FencedCalls.Withdrawn || cause instanceof java.util.concurrent.CancellationException) {
            return BackendError.retryable(CallFence.WITHDRAWN, "the call was withdrawn before Secrets Manager was asked");
        }
        if (cause instanceof NameBusyException busy) {
            return BackendError.retryable("NAME_BEING_DELETED", busy.getMessage());
        }
        if (AwsErrors.isThrottling(cause)) {
            throttlesSeen.incrementAndGet();
        }
        BackendError error = AwsErrors.classify(cause);
        LOG.debug("Secrets Manager call failed: {} {}", error.code(), error.message());
        return error;
    }

    private static String scopeOf(Scope scope) {
        return scope == Scope.USER ? "user" : "workspace";
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    @Override
    public void close() {
        clients.close();
        threads.close();
    }

    /** The name is ours but scheduled for deletion; it becomes free again shortly. */
    private static final class NameBusyException extends RuntimeException {
        NameBusyException(String message) {
            super(message, null, false, false);
        }
    }

    /** A name exists and does not carry this instance's mark for the run. */
    private static final class NotOursException extends RuntimeException {
        NotOursException(String message) {
            super(message, null, false, false);
        }
    }
}
