package io.pipelinesecrets.testing.gcp;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A wire-level Google Secret Manager for tests: a real gRPC server on a loopback port implementing the generated
 * {@code SecretManagerService} base class, so the real client library talks to it over HTTP/2 exactly as it talks
 * to Google (plain text, no credentials). It keeps secrets, versions, labels and expiry ({@link SecretManagerState})
 * fails calls as scripted ({@link GoogleFaults}) and, when asked, enforces Google's quotas ({@link Quotas}).
 */
public final class SecretManagerDouble implements AutoCloseable {

    private final Server server;
    private final SecretManagerState state;
    private final GoogleFaults faults;
    private final Quotas quotas;

    private SecretManagerDouble(Server server, SecretManagerState state, GoogleFaults faults, Quotas quotas) {
        this.server = server;
        this.state = state;
        this.faults = faults;
        this.quotas = quotas;
    }

    /** Starts on a free loopback port. */
    public static SecretManagerDouble start() {
        return start(Clock.systemUTC());
    }

    /** Starts on a free loopback port, expiring secrets by {@code clock}. */
    public static SecretManagerDouble start(Clock clock) {
        SecretManagerState state = new SecretManagerState(clock);
        GoogleFaults faults = new GoogleFaults();
        Quotas quotas = new Quotas(clock);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new SecretManagerService(state, faults, quotas))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException("the Secret Manager double could not start", e);
        }
        return new SecretManagerDouble(server, state, faults, quotas);
    }

    /** {@code host:port} of the double, what a client's endpoint setting takes. */
    public String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    public SecretManagerState state() {
        return state;
    }

    public GoogleFaults faults() {
        return faults;
    }

    /** The per-project request quotas; off unless a test sets them. */
    public Quotas quotas() {
        return quotas;
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
