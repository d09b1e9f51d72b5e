package io.pipelinesecrets.lifecycle.backend.google;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.protobuf.ByteString;
import io.pipelinesecrets.lifecycle.backend.AsyncRateLimiter;
import io.pipelinesecrets.lifecycle.backend.BackendThreads;
import io.pipelinesecrets.lifecycle.backend.FencedCalls;
import io.pipelinesecrets.lifecycle.backend.RunLogContext;
import io.pipelinesecrets.lifecycle.port.BackendError;
import io.pipelinesecrets.lifecycle.port.CallFence;
import io.pipelinesecrets.lifecycle.port.OwnedEntry;
import io.pipelinesecrets.lifecycle.port.RunTarget;
import io.pipelinesecrets.lifecycle.port.SecretOutcome;
import io.pipelinesecrets.lifecycle.port.SecretsBackend;
import io.pipelinesecrets.lifecycle.port.StoredSecret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import java.util.function.Supplier;

import static io.pipelinesecrets.lifecycle.backend.FencedCalls.all;
import static io.pipelinesecrets.lifecycle.backend.FencedCalls.failAll;
import static io.pipelinesecrets.lifecycle.backend.FencedCalls.unlessWithdrawn;

/**
 * Run secrets in Google Secret Manager, where Google Batch and Life Sciences jobs read them
 * ({@code projects/<p>/secrets/tower-<runId>-<NAME>/versions/latest}, or one JSON bundle per run).
 *
 * <ul>
 *   <li>{@code CreateSecret} then {@code AddSecretVersion}. A secret that already exists is adopted only when its
 *       labels say it is this deployment's for this run; a version is added only when the latest one does not hold
 *       the value already ({@link PayloadChecksums}). Retries, crashes and replays therefore converge.</li>
 *   <li>Every secret carries an expiry ({@code ttl}): its run's lease, else {@code google.max-secret-lifetime}, so
 *       Google deletes it even if this service never comes back.</li>
 *   <li>Deletes use the name recorded in the run's manifest; a secret that is already gone counts as deleted.</li>
 *   <li>Writes (create, add version, delete) and reads (get, list) pass a limiter per project, below the quota of
 *       600 a minute each; access calls have a quota of 90,000 a minute and pass freely.</li>
 *   <li>Project, location and identity come from the compute environment's configuration, never from the event
 *       ({@link GoogleBackendConfig}).</li>
 * </ul>
 * Calls never block the caller; every returned future completes normally with one outcome per secret.
 */
public final class GoogleSecretManagerBackend implements SecretsBackend {

    public static final String NAME = "google-secretmanager";
    /** Secret Manager's limit for one version's payload. */
    public static final int MAX_PAYLOAD_BYTES = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(GoogleSecretManagerBackend.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIST_PAGE_SIZE = 250;

    private final GoogleBackendConfig config;
    private final BackendThreads threads;
    private final SecretManagerClients clients;
    private final GoogleOwnership ownership;

    public GoogleSecretManagerBackend(GoogleBackendConfig config, GoogleCredentialsSource credentials) {
        this.config = config;
        this.threads = new BackendThreads("google-backend");
        this.clients = new SecretManagerClients(config, credentials, threads.completions(), threads.timer());
        this.ownership = new GoogleOwnership(config.instanceId(), config.deployment());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isThrottling(BackendError error) {
        return GoogleErrors.THROTTLED.equals(error.code());
    }

    @Override
    public CompletableFuture<List<SecretOutcome>> provision(RunTarget run, List<io.pipelinesecrets.lifecycle.secrets.Secret> secrets,
                                                            CallFence fence) {
        List<String> names = secrets.stream().map(io.pipelinesecrets.lifecycle.secrets.Secret::name).toList();
        GoogleEnvironmentSettings settings = config.settingsFor(run.computeEnvId());
        Optional<BackendError> refused = refusal(run, settings);
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(failAll(names, refused.get()));
        }
        if (settings.bundle()) {
            return provisionBundle(run, settings, secrets, fence);
        }
        List<CompletableFuture<SecretOutcome>> outcomes = new ArrayList<>();
        for (io.pipelinesecrets.lifecycle.secrets.Secret secret : secrets) {
            String id = settings.ids().of(run.runId(), secret.name());
            Optional<BackendError> invalid = GoogleSecretIds.problem(id)
                    .map(problem -> BackendError.permanent("INVALID_NAME", problem))
                    .or(() -> tooLarge(secret.value(), "secret " + secret.name()));
            if (invalid.isPresent()) {
                outcomes.add(CompletableFuture.completedFuture(new SecretOutcome.Failed(secret.name(), invalid.get())));
                continue;
            }
            ByteString payload = ByteString.copyFrom(secret.value().reveal(), StandardCharsets.UTF_8);
            outcomes.add(createOrAdopt(run, settings, id, payload, GoogleOwnership.scopeOf(secret.scope()), fence)
                    .thenApply(name -> (SecretOutcome) new SecretOutcome.Created(secret.name(), name))
                    .exceptionally(failure -> new SecretOutcome.Failed(secret.name(), failed(run, failure))));
        }
        return all(outcomes);
    }

    /**
     * Deletes by the name the manifest recorded, which names exactly what this service created for the run. An entry
     * with no recorded name (its create was never confirmed: a lost answer, a withdrawn call) is deleted by the name
     * the configuration gives it, and only after reading its labels: that name may be someone else's secret.
     */
    @Override
    public CompletableFuture<List<SecretOutcome>> release(RunTarget run, List<StoredSecret> secrets, CallFence fence) {
        GoogleEnvironmentSettings settings = config.settingsFor(run.computeEnvId());
        // In bundle mode every name shares one secret: delete it once, report it for each name.
        Map<String, List<StoredSecret>> byTarget = new LinkedHashMap<>();
        Map<String, Boolean> recorded = new LinkedHashMap<>();
        for (StoredSecret secret : secrets) {
            String target = secret.backendRef() != null ? secret.backendRef()
                    : settings.project() == null ? ""
                    : settings.bundle() ? settings.bundleName(run.runId()) : settings.secretName(run.runId(), secret.name());
            byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(secret);
            recorded.merge(target, secret.backendRef() != null, Boolean::logicalAnd);
        }
        List<CompletableFuture<List<SecretOutcome>>> outcomes = new ArrayList<>();
        byTarget.forEach((target, members) -> {
            List<String> names = members.stream().map(StoredSecret::name).toList();
            Optional<BackendError> refused = target.isEmpty() ? refusal(run, settings) : refusalOfName(target);
            if (refused.isPresent()) {
                outcomes.add(CompletableFuture.completedFuture(failAll(names, refused.get())));
                return;
            }
            SecretNames.Parsed name = SecretNames.parse(target).orElseThrow();
            CompletableFuture<Void> deleted = recorded.get(target)
                    ? delete(name, settings.serviceAccount(), null, fence)
                    : deleteIfOurs(name, run.runId(), settings.serviceAccount(), false, fence);
            outcomes.add(deleted.thenApply(v -> members.stream()
                            .map(m -> (SecretOutcome) new SecretOutcome.Deleted(m.name(), target)).toList())
                    .exceptionally(failure -> failAll(names, failed(run, failure))));
        });
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(v -> outcomes.stream().flatMap(f -> f.join().stream()).toList());
    }

    /**
     * Every secret labelled {@code managed-by=<instance id>} and this deployment's mark, wherever the configuration
     * writes: each project and location of a compute environment's settings (or the defaults), with that compute
     * environment's identity, following page tokens. So an identity bound to one tenant's project never lists
     * another's. One entry per secret name, the first found.
     */
    @Override
    public CompletableFuture<List<OwnedEntry>> listOwned() {
        List<CompletableFuture<List<OwnedEntry>>> listings = new ArrayList<>();
        for (GoogleEnvironmentSettings where : config.placesWritten()) {
            listings.add(call(() -> listOwned(where.project(), where.location(), where.serviceAccount(), where.parent(),
                    "", new ArrayList<>())));
        }
        return CompletableFuture.allOf(listings.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    Map<String, OwnedEntry> byName = new LinkedHashMap<>();
                    listings.forEach(listing -> listing.join().forEach(entry -> byName.putIfAbsent(entry.ref(), entry)));
                    return List.copyOf(byName.values());
                });
    }

    private CompletableFuture<List<OwnedEntry>> listOwned(String project, String location, String identity, String parent,
                                                          String pageToken, List<OwnedEntry> found) {
        SecretManagerServiceClient client = clients.client(location, identity);
        String filter = ownership.listFilter();
        return clients.reads(project).acquire()
                .thenCompose(permit -> clients.completable(client.listSecretsCallable().futureCall(ListSecretsRequest
                        .newBuilder().setParent(parent).setFilter(filter).setPageSize(LIST_PAGE_SIZE)
                        .setPageToken(pageToken).build(), clients.deadline())))
                .thenCompose(page -> {
                    for (Secret secret : page.getSecretsList()) {
                        Optional<String> runId = GoogleOwnership.runIdOf(secret);
                        if (runId.isPresent() && ownership.holds(secret, runId.get(), true)) {
                            found.add(new OwnedEntry(NAME, runId.get(), secret.getName(), instant(secret),
                                    RunTarget.located(runId.get(), location, identity, null)));
                        }
                    }
                    return page.getNextPageToken().isEmpty() ? CompletableFuture.completedFuture(found)
                            : listOwned(project, location, identity, parent, page.getNextPageToken(), found);
                });
    }

    /** Deletes a listed secret after reading it again: only if still this deployment's for its run, and by its etag. */
    @Override
    public CompletableFuture<SecretOutcome> deleteOwned(OwnedEntry entry) {
        Optional<BackendError> refused = refusalOfName(entry.ref());
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(new SecretOutcome.Failed(entry.ref(), refused.get()));
        }
        RunTarget where = entry.where();
        return deleteIfOurs(SecretNames.parse(entry.ref()).orElseThrow(), entry.runId(), where.accountRoleArn(), true,
                CallFence.open())
                .thenApply(v -> (SecretOutcome) new SecretOutcome.Deleted(entry.ref(), entry.ref()))
                .exceptionally(failure -> new SecretOutcome.Failed(entry.ref(), failed(where, failure)));
    }

    /**
     * Reads the secret and deletes it by the etag read, only if it carries this service's mark for the run; one that
     * is gone counts as deleted.
     *
     * @param exactly require this deployment's mark (the reconciler); otherwise a mark without a deployment is ours too
     */
    private CompletableFuture<Void> deleteIfOurs(SecretNames.Parsed name, String runId, String serviceAccount,
                                                 boolean exactly, CallFence fence) {
        return call(() -> clients.reads(name.project()).acquire()
                .thenCompose(permit -> unlessWithdrawn(fence, () -> clients.completable(clients.client(name.location(),
                        serviceAccount).getSecretCallable().futureCall(GetSecretRequest.newBuilder().setName(name.full())
                        .build(), clients.deadline()))))
                .thenCompose(existing -> ownership.holds(existing, runId, exactly)
                        ? delete(name, serviceAccount, existing.getEtag(), fence)
                        : CompletableFuture.failedFuture(new NotOurs("secret " + name.full() + " does not carry "
                        + config.instanceId() + "'s mark for run " + runId + "; it was left untouched")))
                .exceptionallyCompose(failure -> GoogleErrors.is(failure, StatusCode.Code.NOT_FOUND)
                        ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(failure)));
    }

    private CompletableFuture<List<SecretOutcome>> provisionBundle(RunTarget run, GoogleEnvironmentSettings settings,
                                                                  List<io.pipelinesecrets.lifecycle.secrets.Secret> secrets,
                                                                  CallFence fence) {
        List<String> names = secrets.stream().map(io.pipelinesecrets.lifecycle.secrets.Secret::name).toList();
        Map<String, String> content = new LinkedHashMap<>();
        secrets.forEach(s -> content.put(s.name(), s.value().reveal()));
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(content);
        } catch (JsonProcessingException e) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("SERIALISATION_FAILED",
                    "cannot write the bundle as JSON: " + e.getClass().getSimpleName())));
        }
        if (json.length > MAX_PAYLOAD_BYTES) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("BUNDLE_TOO_LARGE",
                    "the bundle of " + secrets.size() + " secrets is " + json.length + " bytes, over Secret Manager's "
                            + MAX_PAYLOAD_BYTES + "-byte limit; turn bundle mode off for compute environment "
                            + run.computeEnvId())));
        }
        String id = settings.ids().bundleOf(run.runId());
        Optional<String> badId = GoogleSecretIds.problem(id);
        if (badId.isPresent()) {
            return CompletableFuture.completedFuture(failAll(names, BackendError.permanent("INVALID_NAME", badId.get())));
        }
        return createOrAdopt(run, settings, id, ByteString.copyFrom(json), "bundle", fence)
                .thenApply(name -> names.stream().map(n -> (SecretOutcome) new SecretOutcome.Created(n, name)).toList())
                .exceptionally(failure -> failAll(names, failed(run, failure)));
    }

    /**
     * Creates the secret and adds the value as its first version. If the secret exists and is this run's, adds the
     * value only when its latest version does not hold it: a crash between the two calls, a retry after a lost
     * answer, or a replay all end with one version holding the value.
     */
    private CompletableFuture<String> createOrAdopt(RunTarget run, GoogleEnvironmentSettings settings, String id,
                                                    ByteString payload, String scope, CallFence fence) {
        String name = settings.parent() + "/secrets/" + id;
        Secret.Builder secret = Secret.newBuilder().putAllLabels(ownership.labels(run, scope))
                .putAllAnnotations(GoogleOwnership.annotations(run))
                .setTtl(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(config.secretLifetime(run.computeEnvId()).toSeconds()));
        if (settings.location() == null) {
            // Regional secrets have no replication; global ones let Google choose where to replicate.
            secret.setReplication(Replication.newBuilder().setAutomatic(Replication.Automatic.getDefaultInstance()));
        }
        CreateSecretRequest create = CreateSecretRequest.newBuilder().setParent(settings.parent()).setSecretId(id)
                .setSecret(secret).build();
        return call(() -> {
            SecretManagerServiceClient client = clients.client(settings.location(), settings.serviceAccount());
            AsyncRateLimiter writes = clients.writes(settings.project());
            return writes.acquire()
                    .thenCompose(permit -> unlessWithdrawn(fence, () -> clients.completable(
                            client.createSecretCallable().futureCall(create, clients.deadline()))))
                    .thenCompose(created -> addVersion(client, writes, name, payload, fence))
                    .exceptionallyCompose(failure -> GoogleErrors.is(failure, StatusCode.Code.ALREADY_EXISTS)
                            ? adopt(run, settings, client, writes, name, payload, fence)
                            : CompletableFuture.failedFuture(failure));
        });
    }

    private CompletableFuture<String> adopt(RunTarget run, GoogleEnvironmentSettings settings,
                                            SecretManagerServiceClient client, AsyncRateLimiter writes, String name,
                                            ByteString payload, CallFence fence) {
        return clients.reads(settings.project()).acquire()
                .thenCompose(permit -> unlessWithdrawn(fence, () -> clients.completable(client.getSecretCallable()
                        .futureCall(GetSecretRequest.newBuilder().setName(name).build(), clients.deadline()))))
                .thenCompose(existing -> {
                    if (!ownership.holds(existing, run.runId(), false)) {
                        return CompletableFuture.failedFuture(new NotOurs("secret " + name + " exists and is not managed by "
                                + config.instanceId() + " for run " + run.runId() + "; it was left untouched"));
                    }
                    return unlessWithdrawn(fence, () -> clients.completable(client.accessSecretVersionCallable()
                            .futureCall(AccessSecretVersionRequest.newBuilder().setName(name + "/versions/latest").build(),
                                    clients.deadline())))
                            .thenApply(latest -> PayloadChecksums.holds(latest.getPayload(), payload))
                            // No version yet (the create's answer was lost, or the service stopped in between), or the
                            // latest one disabled or destroyed: the value has to be added.
                            .exceptionallyCompose(failure -> GoogleErrors.is(failure, StatusCode.Code.NOT_FOUND)
                                    || GoogleErrors.is(failure, StatusCode.Code.FAILED_PRECONDITION)
                                    ? CompletableFuture.completedFuture(false) : CompletableFuture.failedFuture(failure))
                            .thenCompose(holds -> holds ? CompletableFuture.completedFuture(name)
                                    : addVersion(client, writes, name, payload, fence));
                });
    }

    private CompletableFuture<String> addVersion(SecretManagerServiceClient client, AsyncRateLimiter writes, String name,
                                                 ByteString payload, CallFence fence) {
        AddSecretVersionRequest request = AddSecretVersionRequest.newBuilder().setParent(name)
                .setPayload(PayloadChecksums.payloadOf(payload)).build();
        return writes.acquire()
                .thenCompose(permit -> unlessWithdrawn(fence, () -> clients.completable(
                        client.addSecretVersionCallable().futureCall(request, clients.deadline()))))
                .thenApply(version -> name);
    }

    /** Deletes by name (and etag, when the caller read it); a secret already gone counts as deleted. */
    private CompletableFuture<Void> delete(SecretNames.Parsed name, String serviceAccount, String etag,
                                           CallFence fence) {
        DeleteSecretRequest.Builder request = DeleteSecretRequest.newBuilder().setName(name.full());
        if (etag != null) {
            request.setEtag(etag);
        }
        return call(() -> {
            SecretManagerServiceClient client = clients.client(name.location(), serviceAccount);
            return clients.writes(name.project()).acquire()
                    .thenCompose(permit -> unlessWithdrawn(fence, () -> clients.completable(
                            client.deleteSecretCallable().futureCall(request.build(), clients.deadline()))))
                    .thenApply(empty -> (Void) null)
                    .exceptionallyCompose(failure -> GoogleErrors.is(failure, StatusCode.Code.NOT_FOUND)
                            ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(failure));
        });
    }

    /**
     * The confused-deputy guard, before any call: the compute environment must have a project, and an event that
     * names an identity may name only the one its compute environment is bound to.
     */
    private static Optional<BackendError> refusal(RunTarget run, GoogleEnvironmentSettings settings) {
        if (settings.project() == null) {
            return Optional.of(BackendError.permanent("PROJECT_MISSING", "compute environment " + run.computeEnvId()
                    + " has no Google project: set " + GoogleBackendConfig.key(run.computeEnvId(), "project")
                    + " (or google.project for every compute environment)"));
        }
        if (run.accountRoleArn() != null && !run.accountRoleArn().equals(settings.serviceAccount())) {
            return Optional.of(BackendError.permanent("SERVICE_ACCOUNT_NOT_ALLOWED", "the launch names an identity"
                    + " that is not " + GoogleBackendConfig.key(run.computeEnvId(), "service-account")));
        }
        return Optional.empty();
    }

    /** A manifest's name outside the allowed projects and locations is never called. */
    private Optional<BackendError> refusalOfName(String name) {
        Optional<SecretNames.Parsed> parsed = SecretNames.parse(name);
        if (parsed.isEmpty()) {
            return Optional.of(BackendError.permanent("INVALID_NAME", "not a Secret Manager secret name"));
        }
        if (!config.allowedProjects().contains(parsed.get().project())) {
            return Optional.of(BackendError.permanent("PROJECT_NOT_ALLOWED", "project " + parsed.get().project()
                    + " is not among google.projects"));
        }
        if (parsed.get().location() != null && !config.allowedLocations().contains(parsed.get().location())) {
            return Optional.of(BackendError.permanent("LOCATION_NOT_ALLOWED", "location " + parsed.get().location()
                    + " is not among google.locations"));
        }
        return Optional.empty();
    }

    private static Optional<BackendError> tooLarge(SecretValue value, String what) {
        int size = value.reveal().getBytes(StandardCharsets.UTF_8).length;
        return size > MAX_PAYLOAD_BYTES ? Optional.of(BackendError.permanent("VALUE_TOO_LARGE", what + " is " + size
                + " bytes, over Secret Manager's " + MAX_PAYLOAD_BYTES + "-byte limit")) : Optional.empty();
    }

    /** Starts a call chain; one that cannot even start (no credentials) fails its future instead of throwing. */
    private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> chain) {
        try {
            return chain.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new CannotCall(e));
        }
    }

    /** Runs on whichever thread completed the call: the run's id goes into the MDC for the log line. */
    private static BackendError failed(RunTarget run, Throwable failure) {
        return RunLogContext.withRunId(run.runId(), () -> classified(failure));
    }

    private static BackendError classified(Throwable failure) {
        Throwable cause = GoogleErrors.unwrap(failure);
        if (cause instanceof NotOurs notOurs) {
            return BackendError.permanent("NAME_OWNED_BY_ANOTHER", notOurs.getMessage());
        }
        if (cause instanceof FencedCalls.Withdrawn || cause instanceof java.util.concurrent.CancellationException) {
            return BackendError.retryable(CallFence.WITHDRAWN, "the call was withdrawn before Secret Manager was asked");
        }
        if (cause instanceof CannotCall cannot) {
            return BackendError.retryable("CREDENTIALS_UNAVAILABLE", cannot.getMessage());
        }
        BackendError error = GoogleErrors.classify(cause);
        LOG.debug("Secret Manager call failed: {} {}", error.code(), error.message());
        return error;
    }

    private static Instant instant(Secret secret) {
        return Instant.ofEpochSecond(secret.getCreateTime().getSeconds(), secret.getCreateTime().getNanos());
    }

    @Override
    public void close() {
        clients.close();
        threads.close();
    }

    /** A secret exists and does not carry this deployment's mark for the run. */
    private static final class NotOurs extends RuntimeException {
        NotOurs(String message) {
            super(message, null, false, false);
        }
    }

    /** The client could not be built (no credentials); the message names the fix, never a value. */
    private static final class CannotCall extends RuntimeException {
        CannotCall(RuntimeException cause) {
            super(cause.getMessage(), null, false, false);
        }
    }
}
