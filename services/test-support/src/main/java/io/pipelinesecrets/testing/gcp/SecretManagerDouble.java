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
 * and fails calls as scripted ({@link GoogleFaults}).
 */
public final class SecretManagerDouble implements AutoCloseable {

    private final Server server;
    private final SecretManagerState state;
    private final GoogleFaults faults;

    private SecretManagerDouble(Server server, SecretManagerState state, GoogleFaults faults) {
        this.server = server;
        this.state = state;
        this.faults = faults;
    }

    /** Starts on a free loopback port. */
    public static SecretManagerDouble start() {
        return start(Clock.systemUTC());
    }

    /** Starts on a free loopback port, expiring secrets by {@code clock}. */
    public static SecretManagerDouble start(Clock clock) {
        SecretManagerState state = new SecretManagerState(clock);
        GoogleFaults faults = new GoogleFaults();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new SecretManagerService(state, faults))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException("the Secret Manager double could not start", e);
        }
        return new SecretManagerDouble(server, state, faults);
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
