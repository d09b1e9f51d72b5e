package io.pipelinesecrets.testing.aws;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A wire-level AWS Secrets Manager for tests: a loopback HTTP server speaking the JSON 1.1 protocol, so tests drive
 * the real AWS SDK client ({@code endpointOverride(URI.create(double.endpoint()))}, any static credentials).
 * Secrets live in memory; requests are served concurrently.
 *
 * <p>Semantics follow the real service where tests depend on them: idempotent CreateSecret by
 * ClientRequestToken, name/ARN/partial-ARN resolution, recovery-window and asynchronous force deletion (the name
 * stays blocked for {@link DoubleSettings#forceDeleteDelay()}), ListSecrets filters and pagination, per-secret
 * BatchGetSecretValue errors. {@link #faults()} injects throttling, server errors, latency, access denial and
 * quotas; {@link #stats()} tells what was asked. Secret values are never logged.
 *
 * <pre>{@code
 * try (SecretsManagerDouble sm = SecretsManagerDouble.start()) {
 *     sm.faults().on("CreateSecret").throttle(2);
 *     ... SecretsManagerClient.builder().endpointOverride(URI.create(sm.endpoint())) ...
 * }
 * }</pre>
 */
public final class SecretsManagerDouble implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerDouble.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    static {
        // The JDK server writes headers and body separately; with Nagle on, every answer waits for the client's
        // delayed ACK (~40 ms). The JDK reads this once, when the first HttpServer of the JVM is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final DoubleSettings settings;
    private final SecretStore store;
    private final Faults faults;
    private final RequestStats stats = new RequestStats();
    private final HttpServer server;
    private final ExecutorService executor;

    private SecretsManagerDouble(DoubleSettings settings) throws IOException {
        this.settings = settings;
        this.store = new SecretStore(settings, Clock.systemUTC());
        this.faults = new Faults(settings.quotaPerSecond());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        // Unbounded on purpose: an injected latency must hold one request, not the ones queued behind it.
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "sm-double-" + instance + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", new JsonProtocolHandler(new SecretsManagerApi(store, stats), faults, stats));
    }

    /** Starts a double with {@link DoubleSettings#defaults()}: loopback, a free port, us-east-1, 123456789012. */
    public static SecretsManagerDouble start() {
        return start(DoubleSettings.defaults());
    }

    public static SecretsManagerDouble start(DoubleSettings settings) {
        try {
            SecretsManagerDouble sm = new SecretsManagerDouble(settings);
            sm.server.start();
            LOG.debug("Secrets Manager double listening on {} ({} {}, force delete delay {}, quota/s {})",
                    sm.endpoint(), settings.region(), settings.account(), settings.forceDeleteDelay(),
                    settings.quotaPerSecond() == 0 ? "unlimited" : settings.quotaPerSecond());
            return sm;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + settings.host() + ":" + settings.port(), e);
        }
    }

    /** The URI to give the SDK's {@code endpointOverride}, e.g. {@code http://127.0.0.1:43121}. */
    public String endpoint() {
        return "http://" + settings.host() + ":" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public DoubleSettings settings() {
        return settings;
    }

    public Faults faults() {
        return faults;
    }

    public RequestStats stats() {
        return stats;
    }

    /** The secret of that name, live or scheduled for deletion; empty if unknown or force-deleted. */
    public Optional<SecretSnapshot> secret(String name) {
        return store.byName(name);
    }

    /** Names of the secrets not scheduled for deletion, sorted. */
    public List<String> liveSecretNames() {
        return store.liveNames();
    }

    /** Forgets all secrets, blocked names, faults and stats, for a double shared by several tests. */
    public void reset() {
        store.clear();
        faults.clear();
        stats.reset();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
