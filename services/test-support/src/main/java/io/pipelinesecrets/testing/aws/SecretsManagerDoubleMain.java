package io.pipelinesecrets.testing.aws;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link SecretsManagerDouble} on its own until the process is killed, e.g. to back {@code dev --backend aws}.
 * Exit codes: 0 after {@code --help}, 2 on a usage error, 1 if the port cannot be bound.
 */
public final class SecretsManagerDoubleMain {

    public static final int DEFAULT_PORT = 4566;

    static final String USAGE = """
            usage: SecretsManagerDoubleMain [--port N] [--host ADDRESS] [--region REGION] [--account ID]
                                            [--force-delete-delay DURATION] [--list-lag DURATION]
                                            [--quota-per-second N]
              --port                port to listen on (default 4566; 0 picks a free one)
              --host                address to bind (default 127.0.0.1)
              --region, --account   written into ARNs (default us-east-1, 123456789012)
              --force-delete-delay  how long a force-deleted name stays blocked (default 2s)
              --list-lag            how long a new secret stays invisible to ListSecrets (default 0s)
              --quota-per-second    global request quota; over it requests get ThrottlingException (default 0 = none)
            DURATION: 300ms, 2s, 1m or ISO-8601 (PT2S)""";

    private SecretsManagerDoubleMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        DoubleSettings settings;
        try {
            settings = parse(arguments);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        SecretsManagerDouble sm;
        try {
            sm = SecretsManagerDouble.start(settings);
        } catch (RuntimeException e) {
            System.err.println("Secrets Manager double failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sm::close, "sm-double-shutdown"));
        System.out.println("Secrets Manager double listening on " + sm.endpoint());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** Turns the command line into settings; an unknown option or a bad value is an IllegalArgumentException. */
    static DoubleSettings parse(List<String> args) {
        DoubleSettings settings = DoubleSettings.defaults().withPort(DEFAULT_PORT);
        Iterator<String> it = args.iterator();
        while (it.hasNext()) {
            String option = it.next();
            if (!it.hasNext()) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value"
                        : "unexpected argument: " + option);
            }
            String value = it.next();
            settings = switch (option) {
                case "--port" -> settings.withPort(integer(option, value));
                case "--host" -> settings.withHost(value);
                case "--region" -> settings.withRegion(value);
                case "--account" -> settings.withAccount(value);
                case "--force-delete-delay" -> settings.withForceDeleteDelay(duration(option, value));
                case "--list-lag" -> settings.withListSecretsLag(duration(option, value));
                case "--quota-per-second" -> settings.withQuotaPerSecond(number(option, value));
                default -> throw new IllegalArgumentException("unknown option: " + option);
            };
        }
        return settings;
    }

    static Duration duration(String option, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("pt")) {
                return Duration.parse(text);
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            if (text.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": not a duration: '" + value + "' (try 300ms, 2s or PT2S)");
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: '" + value + "'", e);
        }
    }

    private static double number(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: '" + value + "'", e);
        }
    }
}
