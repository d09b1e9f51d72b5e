package io.pipelinesecrets.testing.gcp;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Secret Manager double ({@link SecretManagerService} on {@link SecretManagerState}, as
 * {@link SecretManagerDouble} does) on its own until the process is killed, on a port of one's choosing, e.g. to back
 * {@code dev --backend google}. Plain-text gRPC without credentials: point a client at {@code http://host:port}.
 * Exit codes: 0 after {@code --help}, 2 on a usage error, 1 if the port cannot be bound.
 */
public final class SecretManagerDoubleMain {

    public static final int DEFAULT_PORT = 8085;
    public static final String DEFAULT_HOST = "127.0.0.1";

    static final String USAGE = """
            usage: SecretManagerDoubleMain [--port N] [--host ADDRESS] [--quota-per-minute N]
              --port              port to listen on (default 8085; 0 picks a free one)
              --host              address to bind (default 127.0.0.1)
              --quota-per-minute  writes and reads each allowed per project and minute; over it calls get
                                  RESOURCE_EXHAUSTED (default 0 = none; Google's is 600)""";

    /** What the command line asks for. */
    record Settings(String host, int port, int quotaPerMinute) {
    }

    private SecretManagerDoubleMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Settings settings;
        try {
            settings = parse(arguments);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Clock clock = Clock.systemUTC();
        SecretManagerState state = new SecretManagerState(clock);
        Quotas quotas = new Quotas(clock);
        if (settings.quotaPerMinute() > 0) {
            quotas.limit(settings.quotaPerMinute(), settings.quotaPerMinute(), Duration.ofMinutes(1));
        }
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()))
                .addService(new SecretManagerService(state, new GoogleFaults(), quotas))
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            System.err.println("Secret Manager double failed to start on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gsm-double-shutdown"));
        System.out.println("Secret Manager double listening on http://" + settings.host() + ":" + server.getPort());
        System.out.flush();
        server.awaitTermination();
    }

    /** Turns the command line into settings; an unknown option or a bad value is an IllegalArgumentException. */
    static Settings parse(List<String> args) {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        int quota = 0;
        Iterator<String> it = args.iterator();
        while (it.hasNext()) {
            String option = it.next();
            if (!it.hasNext()) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value"
                        : "unexpected argument: " + option);
            }
            String value = it.next();
            switch (option) {
                case "--port" -> port = integer(option, value, 0, 65_535);
                case "--host" -> host = value;
                case "--quota-per-minute" -> quota = integer(option, value, 0, Integer.MAX_VALUE);
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new Settings(host, port, quota);
    }

    private static int integer(String option, String value, int min, int max) {
        int number;
        try {
            number = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: '" + value + "'", e);
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(option + ": " + number + " is not between " + min + " and " + max);
        }
        return number;
    }
}
