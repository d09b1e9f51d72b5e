package io.pipelinesecrets.lifecycle.admin;

import java.util.Objects;
import java.util.Optional;

/**
 * Who may read what over admin HTTP. Health is always open (probes carry no credentials). {@code /runs} shows
 * tenant data (workspace and user ids, role ARNs, paths, secret names and ARNs), so it needs the bearer token,
 * and without a configured token it is off: secure by default. {@code /metrics} needs the token only when asked,
 * since scrapes usually come from inside the cluster's network policy.
 *
 * @param token               what {@code Authorization: Bearer} must present; empty turns {@code /runs} off
 * @param metricsRequireToken whether {@code /metrics} needs the token as well
 */
public record AdminAccess(Optional<AdminToken> token, boolean metricsRequireToken) {

    /** No token: {@code /runs} answers 403, {@code /metrics} is open. */
    public static final AdminAccess NO_TOKEN = new AdminAccess(Optional.empty(), false);

    public AdminAccess {
        Objects.requireNonNull(token, "token");
        if (metricsRequireToken && token.isEmpty()) {
            throw new IllegalArgumentException("/metrics cannot require a token when none is configured");
        }
    }

    /** {@code /runs} needs this token; {@code /metrics} stays open. */
    public static AdminAccess withToken(AdminToken token) {
        return new AdminAccess(Optional.of(token), false);
    }
}
