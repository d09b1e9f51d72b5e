package io.pipelinesecrets.serde.registry.http;

import io.pipelinesecrets.serde.registry.SchemaRegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The retry and failover policy over the configured registry URLs: each attempt tries the URLs in turn, starting
 * with the last one that answered, and attempts are separated by a backoff that doubles up to
 * {@link #MAX_BACKOFF}. 5xx answers, connection failures and timeouts move on; any other answer ends the call,
 * refusals included (they would not change on retry). Retrying is safe because every registry call is idempotent.
 * Thread-safe: the preferred URL is the only state, and a stale read of it costs one failed request.
 */
final class UrlFailover {

    /** The longest pause the doubling reaches; a longer configured backoff stays as configured. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    // The client's logger name, so that a level set for the client still covers its retries.
    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRegistryClient.class);

    /** How the pause between attempts is waited out; tests record it instead of waiting. */
    @FunctionalInterface
    interface Sleeper {
        Sleeper THREAD = pause -> Thread.sleep(pause.toMillis());

        void sleep(Duration pause) throws InterruptedException;
    }

    /** An answer below 500 and the URL that gave it (refusals name the registry's host). */
    record Answer(URI base, HttpResponse<String> response) {
    }

    private final List<URI> urls;
    private final int maxAttempts;
    private final Duration backoff;
    private final RegistryTransport transport;
    private final Sleeper sleeper;
    private final AtomicInteger preferredUrl = new AtomicInteger();

    UrlFailover(List<URI> urls, int maxAttempts, Duration backoff, RegistryTransport transport, Sleeper sleeper) {
        this.urls = List.copyOf(urls);
        if (this.urls.isEmpty() || maxAttempts < 1 || backoff.isNegative()) {
            throw new IllegalArgumentException("need a URL, maxAttempts >= 1 and a backoff >= 0");
        }
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * The first answer below 500.
     *
     * @throws SchemaRegistryException after {@code maxAttempts} rounds without one: the last 5xx answer's error code
     *                                 (or {@link ConfluentRegistryClient#UNAVAILABLE} after a connection failure),
     *                                 the call, the URLs' hosts and the last failure as the cause; or at once, with
     *                                 {@code UNAVAILABLE} and the interrupt flag kept, if the thread is interrupted
     */
    Answer send(RegistryCall call) {
        Duration pause = backoff;
        Exception last = null;
        int lastCode = ConfluentRegistryClient.UNAVAILABLE;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            int first = preferredUrl.get();
            for (int i = 0; i < urls.size(); i++) {
                int index = (first + i) % urls.size();
                URI base = urls.get(index);
                try {
                    HttpResponse<String> response = transport.send(base, call);
                    if (response.statusCode() < 500) {
                        preferredUrl.set(index);
                        return new Answer(base, response);
                    }
                    ErrorAnswer error = ErrorAnswer.of(response);
                    lastCode = error.code();
                    last = new SchemaRegistryException(error.code(), "HTTP " + response.statusCode() + " from "
                            + RegistryUrls.redact(base) + error.suffix());
                } catch (IOException e) { // connection refused or reset, HttpTimeoutException, ...
                    lastCode = ConfluentRegistryClient.UNAVAILABLE;
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryException(ConfluentRegistryClient.UNAVAILABLE,
                            "interrupted during schema registry call " + call, e);
                }
                LOG.debug("Schema registry call {} to {} failed (attempt {}): {}", call, RegistryUrls.redact(base),
                        attempt, describe(last));
            }
            if (attempt < maxAttempts) {
                pause(pause, call);
                pause = nextBackoff(pause);
            }
        }
        throw new SchemaRegistryException(lastCode, "schema registry unavailable: " + call + " failed "
                + maxAttempts + " attempt(s) on " + urls.stream().map(RegistryUrls::redact).toList()
                + "; last: " + describe(last), last);
    }

    /** The pause after this one: doubled up to {@link #MAX_BACKOFF}; one already longer stays. */
    static Duration nextBackoff(Duration pause) {
        if (pause.compareTo(MAX_BACKOFF) >= 0) {
            return pause;
        }
        Duration doubled = pause.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    private void pause(Duration pause, RegistryCall call) {
        try {
            sleeper.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(ConfluentRegistryClient.UNAVAILABLE,
                    "interrupted while retrying schema registry call " + call, e);
        }
    }

    private static String describe(Exception failure) {
        if (failure == null) {
            return "none";
        }
        if (failure instanceof SchemaRegistryException) {
            return failure.getMessage();
        }
        return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : " " + failure.getMessage());
    }
}
