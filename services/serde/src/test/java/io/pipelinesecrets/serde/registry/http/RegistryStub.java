package io.pipelinesecrets.serde.registry.http;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A registry stand-in for client tests: answers the n-th request (from 1) with {@code replies.apply(n)} and records
 * what each request carried. Serves plain HTTP, or HTTPS when handed an {@code HttpsServer}.
 */
final class RegistryStub implements AutoCloseable {

    record Reply(int status, String body) {
    }

    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final List<String> accept = Collections.synchronizedList(new ArrayList<>());
    final List<String> contentTypes = Collections.synchronizedList(new ArrayList<>());
    final List<String> queries = Collections.synchronizedList(new ArrayList<>());
    final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    final List<String> authorization = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger count = new AtomicInteger();
    private final HttpServer server;
    private final String scheme;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    RegistryStub(HttpServer server, String scheme, IntFunction<Reply> replies) {
        this.server = server;
        this.scheme = scheme;
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
                accept.add(exchange.getRequestHeaders().getFirst("Accept"));
                if (exchange.getRequestHeaders().containsKey("Content-Type")) {
                    contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                }
                authorization.add(exchange.getRequestHeaders().getFirst("Authorization"));
                queries.add(exchange.getRequestURI().getRawQuery());
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                Reply reply = replies.apply(count.incrementAndGet());
                byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", ConfluentRegistryServer.CONTENT_TYPE);
                exchange.sendResponseHeaders(reply.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (IOException e) {
                // the client went away (timeout tests)
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** A plain-HTTP stub on a free loopback port. */
    static RegistryStub http(IntFunction<Reply> replies) throws IOException {
        return new RegistryStub(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "http", replies);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return scheme + "://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
