package io.pipelinesecrets.testing.aws;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link SecretsManagerDouble} is started with. Immutable; start from {@link #defaults()} and change
 * what a test needs with the {@code with...} methods.
 *
 * @param host             address to bind; loopback by default
 * @param port             port to bind; 0 picks a free one
 * @param region           region written into ARNs
 * @param account          account id written into ARNs
 * @param forceDeleteDelay how long a force-deleted name stays blocked (the real service takes up to ~10 s)
 * @param listSecretsLag   how long a new secret stays invisible to ListSecrets (the real service: up to minutes)
 * @param quotaPerSecond   global request quota (token bucket, burst = one second's worth); 0 means unlimited
 */
public record DoubleSettings(String host, int port, String region, String account, Duration forceDeleteDelay,
                             Duration listSecretsLag, double quotaPerSecond) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_ACCOUNT = "123456789012";
    public static final Duration DEFAULT_FORCE_DELETE_DELAY = Duration.ofSeconds(2);

    public DoubleSettings {
        requireText(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        requireText(region, "region");
        requireText(account, "account");
        requireNotNegative(forceDeleteDelay, "forceDeleteDelay");
        requireNotNegative(listSecretsLag, "listSecretsLag");
        if (quotaPerSecond < 0 || Double.isNaN(quotaPerSecond)) {
            throw new IllegalArgumentException("quotaPerSecond must be >= 0 (0 = unlimited), was " + quotaPerSecond);
        }
    }

    public static DoubleSettings defaults() {
        return new DoubleSettings(DEFAULT_HOST, 0, DEFAULT_REGION, DEFAULT_ACCOUNT, DEFAULT_FORCE_DELETE_DELAY,
                Duration.ZERO, 0);
    }

    public DoubleSettings withHost(String newHost) {
        return new DoubleSettings(newHost, port, region, account, forceDeleteDelay, listSecretsLag, quotaPerSecond);
    }

    public DoubleSettings withPort(int newPort) {
        return new DoubleSettings(host, newPort, region, account, forceDeleteDelay, listSecretsLag, quotaPerSecond);
    }

    public DoubleSettings withRegion(String newRegion) {
        return new DoubleSettings(host, port, newRegion, account, forceDeleteDelay, listSecretsLag, quotaPerSecond);
    }

    public DoubleSettings withAccount(String newAccount) {
        return new DoubleSettings(host, port, region, newAccount, forceDeleteDelay, listSecretsLag, quotaPerSecond);
    }

    public DoubleSettings withForceDeleteDelay(Duration delay) {
        return new DoubleSettings(host, port, region, account, delay, listSecretsLag, quotaPerSecond);
    }

    public DoubleSettings withListSecretsLag(Duration lag) {
        return new DoubleSettings(host, port, region, account, forceDeleteDelay, lag, quotaPerSecond);
    }

    public DoubleSettings withQuotaPerSecond(double quota) {
        return new DoubleSettings(host, port, region, account, forceDeleteDelay, listSecretsLag, quota);
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static void requireNotNegative(Duration value, String what) {
        if (Objects.requireNonNull(value, what).isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, was " + value);
        }
    }
}
