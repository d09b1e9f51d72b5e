package io.pipelinesecrets.testing.gcp;

import com.google.cloud.secretmanager.v1.Secret;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.Status;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The secrets the double holds, by full resource name ({@code projects/<p>/secrets/<id>} or
 * {@code projects/<p>/locations/<l>/secrets/<id>}), with their versions. A secret past its expiry is gone, as
 * Google deletes it: that is the provider-side safety net the backend relies on. Thread-safe: gRPC calls arrive on
 * several threads.
 */
public final class SecretManagerState {

    static final Pattern SECRET_ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    static final Pattern LABEL_KEY = Pattern.compile("\\p{Ll}[\\p{Ll}0-9_-]{0,62}");
    static final Pattern LABEL_VALUE = Pattern.compile("[\\p{Ll}0-9_-]{0,63}");

    private final Clock clock;
    private final Map<String, Held> secrets = new TreeMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final List<Change> changes = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong etags = new java.util.concurrent.atomic.AtomicLong();

    public SecretManagerState(Clock clock) {
        this.clock = clock;
    }

    /** A secret with its versions' payloads, as stored. */
    public record Held(Secret secret, List<ByteString> versions) {

        public Optional<ByteString> latest() {
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
        }
    }

    public synchronized Optional<Held> secret(String name) {
        expireDue();
        return Optional.ofNullable(secrets.get(name));
    }

    /** Every secret still held, by name. */
    public synchronized Map<String, Held> secrets() {
        expireDue();
        return Map.copyOf(secrets);
    }

    /**
     * A change the double applied: {@code CreateSecret}, {@code AddSecretVersion} (with the payload's CRC32C) or
     * {@code DeleteSecret} of a secret. Kept after the secret is gone, so that a suite can tell a secret created twice
     * (deleted in between) or a value added twice from one created and written once.
     */
    public record Change(String method, String name, long crc32c) {
    }

    /** Every change applied so far, in order; failed and refused calls change nothing and are not listed. */
    public synchronized List<Change> changes() {
        return List.copyOf(changes);
    }

    /** How often {@code method} was answered {@code code}: scripted faults, quota refusals and the state's own. */
    public int answers(String method, Status.Code code) {
        AtomicInteger count = answers.get(method + " " + code);
        return count == null ? 0 : count.get();
    }

    void answered(String method, Status.Code code) {
        answers.computeIfAbsent(method + " " + code, k -> new AtomicInteger()).incrementAndGet();
    }

    /** How often each method was called (failed calls included). */
    public int calls(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    void counted(String method) {
        calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    }

    synchronized Secret create(String parent, String secretId, Secret requested) {
        expireDue();
        if (!SECRET_ID.matcher(secretId).matches()) {
            throw Status.INVALID_ARGUMENT.withDescription("invalid secret id").asRuntimeException();
        }
        requested.getLabelsMap().forEach((key, value) -> {
            if (!LABEL_KEY.matcher(key).matches() || !LABEL_VALUE.matcher(value).matches()) {
                throw Status.INVALID_ARGUMENT.withDescription("invalid label " + key).asRuntimeException();
            }
        });
        if (requested.getLabelsCount() > 64) {
            throw Status.INVALID_ARGUMENT.withDescription("more than 64 labels").asRuntimeException();
        }
        String name = parent + "/secrets/" + secretId;
        if (secrets.containsKey(name)) {
            throw Status.ALREADY_EXISTS.withDescription("Secret [" + name + "] already exists.").asRuntimeException();
        }
        Instant now = clock.instant();
        Secret.Builder stored = requested.toBuilder().setName(name).setCreateTime(timestamp(now))
                .setEtag("\"" + Long.toHexString(etags.incrementAndGet()) + "\"");
        if (requested.hasTtl()) {
            stored.setExpireTime(timestamp(now.plusSeconds(requested.getTtl().getSeconds())
                    .plusNanos(requested.getTtl().getNanos())));
        }
        Secret secret = stored.build();
        secrets.put(name, new Held(secret, new ArrayList<>()));
        changes.add(new Change("CreateSecret", name, 0));
        return secret;
    }

    synchronized int addVersion(String secretName, ByteString data, Optional<Long> crc32c) {
        Held held = existing(secretName);
        if (crc32c.isPresent() && crc32c.get() != crc32cOf(data)) {
            throw Status.INVALID_ARGUMENT.withDescription("Checksum mismatch").asRuntimeException();
        }
        if (data.size() > 65_536) {
            throw Status.INVALID_ARGUMENT.withDescription("payload larger than 64 KiB").asRuntimeException();
        }
        held.versions().add(data);
        changes.add(new Change("AddSecretVersion", secretName, crc32cOf(data)));
        return held.versions().size();
    }

    synchronized Held existing(String secretName) {
        expireDue();
        Held held = secrets.get(secretName);
        if (held == null) {
            throw Status.NOT_FOUND.withDescription("Secret [" + secretName + "] not found or has no versions.")
                    .asRuntimeException();
        }
        return held;
    }

    /** Deletes the secret; with an etag, only if the secret still has it (ABORTED otherwise, as Google answers). */
    synchronized void delete(String secretName, String etag) {
        Held held = existing(secretName);
        if (etag != null && !etag.isEmpty() && !etag.equals(held.secret().getEtag())) {
            throw Status.ABORTED.withDescription("The etag provided does not match the current etag of the secret.")
                    .asRuntimeException();
        }
        secrets.remove(secretName);
        changes.add(new Change("DeleteSecret", secretName, 0));
    }

    /** The secrets under {@code parent}, in name order. */
    synchronized List<Secret> list(String parent) {
        expireDue();
        String prefix = parent + "/secrets/";
        return secrets.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)
                        && e.getKey().indexOf('/', prefix.length()) < 0)
                .map(e -> e.getValue().secret()).toList();
    }

    static long crc32cOf(ByteString data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        return crc.getValue();
    }

    private void expireDue() {
        Instant now = clock.instant();
        secrets.values().removeIf(held -> held.secret().hasExpireTime()
                && !Instant.ofEpochSecond(held.secret().getExpireTime().getSeconds(),
                held.secret().getExpireTime().getNanos()).isAfter(now));
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
