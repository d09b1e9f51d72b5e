package io.pipelinesecrets.lifecycle.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pipelinesecrets.lifecycle.metrics.ServiceMetrics;
import io.pipelinesecrets.lifecycle.run.RunIds;
import io.pipelinesecrets.lifecycle.service.LifecycleService;
import io.pipelinesecrets.lifecycle.topology.RunStateSerde;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Health and run inspection over HTTP (JDK server, no framework):
 * <ul>
 *   <li>{@code /health/live}: 200 while the service can still make progress, else 503 (restart me)</li>
 *   <li>{@code /health/ready} and {@code /health}: 200 only while the Streams applications are RUNNING</li>
 *   <li>{@code /runs/{runId}}: the run's state — phase, manifest (names, backend references), attempts — never
 *       a value, since the state holds none</li>
 *   <li>{@code /metrics}: every meter in the Prometheus text format (when started with metrics)</li>
 * </ul>
 * It starts before the Streams applications, so that probes and scrapes get an answer (503 "starting" for
 * health) while the service is still checking topics and joining its group.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<LifecycleService> service;
    private final ServiceMetrics metrics;

    private AdminServer(HttpServer server, ExecutorService executor, Supplier<LifecycleService> service,
                        ServiceMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.service = service;
        this.metrics = metrics;
    }

    /** @param service the running service, or null while it is still starting */
    public static AdminServer start(InetSocketAddress address, Supplier<LifecycleService> service) throws IOException {
        return start(address, service, null);
    }

    /**
     * @param service the running service, or null while it is still starting
     * @param metrics what {@code /metrics} serves; null answers it 404
     */
    public static AdminServer start(InetSocketAddress address, Supplier<LifecycleService> service,
                                    ServiceMetrics metrics) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "admin-http");
            thread.setDaemon(true);
            return thread;
        });
        AdminServer admin = new AdminServer(server, executor, service, metrics);
        server.createContext("/health", admin::health);
        server.createContext("/runs/", admin::run);
        server.createContext("/metrics", admin::metrics);
        server.setExecutor(executor);
        server.start();
        LOG.info("admin HTTP on http://{}:{}/ (health, runs{})", address.getHostString(), server.getAddress().getPort(),
                metrics == null ? "" : ", metrics");
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        LifecycleService current = service.get();
        boolean live = path.equals("/health/live");
        if (!live && !path.equals("/health") && !path.equals("/health/ready")) {
            respond(exchange, 404, Map.of("error", "unknown path " + path));
            return;
        }
        boolean up = current != null && (live ? current.alive() : current.ready());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("detail", current == null ? "starting" : current.describeState());
        respond(exchange, up ? 200 : 503, body);
    }

    private void run(HttpExchange exchange) throws IOException {
        String runId = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/runs/".length()),
                StandardCharsets.UTF_8);
        if (!RunIds.isValid(runId)) {
            respond(exchange, 400, Map.of("error", RunIds.problem(runId).orElse("invalid run id")));
            return;
        }
        LifecycleService current = service.get();
        if (current == null) {
            respond(exchange, 503, Map.of("error", "the service is starting"));
            return;
        }
        try {
            var state = current.run(runId);
            if (state.isEmpty()) {
                respond(exchange, 404, Map.of("error", "run " + runId + " is not known to this instance"));
            } else {
                send(exchange, 200, RunStateSerde.toJson(state.get()));
            }
        } catch (InvalidStateStoreException e) {
            respond(exchange, 503, Map.of("error", "run state is not queryable now (" + current.describeState() + ")"));
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (metrics == null || !path.equals("/metrics")) {
            respond(exchange, 404, Map.of("error", "unknown path " + path));
            return;
        }
        send(exchange, 200, ServiceMetrics.CONTENT_TYPE, metrics.scrape());
    }

    private static void respond(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        send(exchange, status, JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
