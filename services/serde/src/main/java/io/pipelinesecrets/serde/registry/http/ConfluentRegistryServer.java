package io.pipelinesecrets.serde.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.pipelinesecrets.serde.registry.InMemorySchemaRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves an {@link InMemorySchemaRegistry} over HTTP with the subset of the Confluent Schema Registry REST API that
 * producers and tools use, so that processes outside the JVM (Confluent's clients, kcat, scripts) can register and
 * fetch schemas in the {@code dev} setup and agree on ids with the service, which uses the same registry in-process.
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions}: register, {@code {"id": N}}</li>
 *   <li>{@code POST /subjects/{subject}}: look up, {@code {"subject", "id", "version", "schema"}}</li>
 *   <li>{@code GET /schemas/ids/{id}}: {@code {"schema": "..."}}</li>
 *   <li>{@code GET /subjects}, {@code GET /subjects/{subject}/versions},
 *       {@code GET /subjects/{subject}/versions/{version|latest}}</li>
 *   <li>{@code POST /compatibility/subjects/{subject}/versions/{version|latest}}: {@code {"is_compatible": ...}}</li>
 *   <li>{@code GET|PUT /config} and {@code GET|PUT /config/{subject}}: compatibility NONE or BACKWARD</li>
 * </ul>
 * Refusals carry Confluent's error codes (40401 subject, 40402 version, 40403 schema, 40408 no subject level,
 * 409 incompatible, 42201 invalid schema, 42202 invalid version, 42203 invalid level). Only Avro, without schema
 * references. There is no authentication: bind it to a loopback address ({@link #defaultAddress()}).
 *
 * <pre>{@code
 * try (ConfluentRegistryServer server = new ConfluentRegistryServer(registry, ConfluentRegistryServer.defaultAddress()).start()) {
 *     ... server.url() ...
 * }
 * }</pre>
 */
public final class ConfluentRegistryServer implements AutoCloseable {

    /** Confluent's port, which clients assume. */
    public static final int DEFAULT_PORT = 8081;

    /** The type of every answer. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRegistryServer.class);
    private static final int THREADS = 4;

    private final InMemorySchemaRegistry registry;
    private final InetSocketAddress address;
    private HttpServer server;
    private ExecutorService executor;
    private boolean closed;

    /**
     * @param registry the registry to serve, usually the one the service uses in-process
     * @param address  where to listen; port 0 picks a free port ({@link #port()} tells which after {@link #start()})
     */
    public ConfluentRegistryServer(InMemorySchemaRegistry registry, InetSocketAddress address) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.address = Objects.requireNonNull(address, "address");
    }

    /** The loopback address on {@link #DEFAULT_PORT}: reachable from this machine only. */
    public static InetSocketAddress defaultAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
    }

    /**
     * Binds the address and starts answering.
     *
     * @return this server, for try-with-resources
     * @throws BindException         if the address is taken (the message names it)
     * @throws IOException           if the server cannot be created otherwise
     * @throws IllegalStateException if already started or closed
     */
    public synchronized ConfluentRegistryServer start() throws IOException {
        if (closed || server != null) {
            throw new IllegalStateException("the schema registry server can be started once");
        }
        HttpServer created;
        try {
            created = HttpServer.create(address, 0);
        } catch (BindException e) {
            BindException named = new BindException("cannot serve the schema registry on " + hostAndPort(address)
                    + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, daemonThreads());
        created.createContext("/", new RegistryRequestHandler(registry, new ObjectMapper()));
        created.setExecutor(pool);
        created.start();
        server = created;
        executor = pool;
        LOG.info("Schema registry (Confluent REST API) listening on {}", url());
        return this;
    }

    /** The port listened on, the chosen one if the address asked for port 0. */
    public synchronized int port() {
        return running().getAddress().getPort();
    }

    /** The base URL for clients' {@code schema.registry.url}, e.g. {@code http://127.0.0.1:8081}. */
    public synchronized String url() {
        InetSocketAddress bound = running().getAddress();
        InetAddress host = bound.getAddress();
        String name = host == null || host.isAnyLocalAddress() ? "localhost" : host.getHostAddress();
        if (name.contains(":")) {
            name = "[" + name + "]";
        }
        return "http://" + name + ":" + bound.getPort();
    }

    /** Stops at once (requests in flight are cut off). Idempotent; a server never started just becomes closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            LOG.debug("Schema registry on port {} stopped", server.getAddress().getPort());
        }
    }

    private HttpServer running() {
        if (server == null || closed) {
            throw new IllegalStateException("the schema registry server is not running");
        }
        return server;
    }

    private static String hostAndPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "schema-registry-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
