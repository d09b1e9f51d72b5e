package io.pipelinesecrets.lifecycle.admin;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pipelinesecrets.lifecycle.metrics.ServiceMetrics;
import io.pipelinesecrets.contracts.RunIds;
import io.pipelinesecrets.lifecycle.topology.RunStateSerde;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
 *       a value, since the state holds none; tenant data, so only with the admin bearer token</li>
 *   <li>{@code /metrics}: every meter in the Prometheus text format (when started with metrics); with the token
 *       when {@link AdminAccess#metricsRequireToken()} says so</li>
 * </ul>
 * Health stays open for probes; {@link AdminAccess} says who may read the rest, {@link BearerTokenFilter} checks it.
 * It starts before the Streams applications, so that probes and scrapes get an answer (503 "starting" for
 * health) while the service is still checking topics and joining its group.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<ServiceView> service;
    private final ServiceMetrics metrics;

    private AdminServer(HttpServer server, ExecutorService executor, Supplier<ServiceView> service,
                        ServiceMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.service = service;
        this.metrics = metrics;
    }

    /**
     * @param service the running service, or null while it is still starting
     * @param metrics what {@code /metrics} serves; null answers it 404
     * @param access  who may read {@code /runs} and {@code /metrics}
     */
    public static AdminServer start(InetSocketAddress address, Supplier<ServiceView> service,
                                    ServiceMetrics metrics, AdminAccess access) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "admin-http");
            thread.setDaemon(true);
            return thread;
        });
        AdminServer admin = new AdminServer(server, executor, service, metrics);
        BearerTokenFilter bearerToken = new BearerTokenFilter(access.token());
        server.createContext("/health", admin::health);
        HttpContext runs = server.createContext("/runs/", admin::run);
        runs.getFilters().add(bearerToken);
        HttpContext scrape = server.createContext("/metrics", admin::metrics);
        if (access.metricsRequireToken()) {
            scrape.getFilters().add(bearerToken);
        }
        server.setExecutor(executor);
        server.start();
        LOG.info("admin HTTP on http://{}:{}/ (health, runs{}); {}", address.getHostString(), server.getAddress().getPort(),
                metrics == null ? "" : ", metrics", describe(access));
        return admin;
    }

    private static String describe(AdminAccess access) {
        if (access.token().isEmpty()) {
            return "/runs is off: no admin token is configured (admin.token-file or PIPELINE_SECRETS_ADMIN_TOKEN)";
        }
        return access.metricsRequireToken() ? "/runs and /metrics need the admin bearer token"
                : "/runs needs the admin bearer token";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        ServiceView current = service.get();
        boolean live = path.equals("/health/live");
        if (!live && !path.equals("/health") && !path.equals("/health/ready")) {
            JsonResponses.send(exchange, 404, Map.of("error", "unknown path " + path));
            return;
        }
        boolean up = current != null && (live ? current.alive() : current.ready());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("detail", current == null ? "starting" : current.describeState());
        JsonResponses.send(exchange, up ? 200 : 503, body);
    }

    private void run(HttpExchange exchange) throws IOException {
        String runId = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/runs/".length()),
                StandardCharsets.UTF_8);
        if (!RunIds.isValid(runId)) {
            JsonResponses.send(exchange, 400, Map.of("error", RunIds.problem(runId).orElse("invalid run id")));
            return;
        }
        ServiceView current = service.get();
        if (current == null) {
            JsonResponses.send(exchange, 503, Map.of("error", "the service is starting"));
            return;
        }
        try {
            var state = current.run(runId);
            if (state.isEmpty()) {
                JsonResponses.send(exchange, 404, Map.of("error", "run " + runId + " is not known to this instance"));
            } else {
                JsonResponses.send(exchange, 200, RunStateSerde.toJson(state.get()));
            }
        } catch (InvalidStateStoreException e) {
            JsonResponses.send(exchange, 503, Map.of("error", "run state is not queryable now (" + current.describeState() + ")"));
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (metrics == null || !path.equals("/metrics")) {
            JsonResponses.send(exchange, 404, Map.of("error", "unknown path " + path));
            return;
        }
        JsonResponses.send(exchange, 200, ServiceMetrics.CONTENT_TYPE, metrics.scrape());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
