package io.pipelinesecrets.lifecycle.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The reconciler's schedule in the running service, and its grace period (the {@code reconcile} command's too).
 *
 * @param interval how often the service reconciles; null = never (the default: the lifecycle itself cleans up,
 *                 the reconciler is a net)
 * @param grace    entries younger than this are never deleted: it must cover ListSecrets' eventual consistency and
 *                 the service's commit interval, and exceed how long one listing takes
 */
public record ReconcileSettings(Duration interval, Duration grace) {

    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    public static final ReconcileSettings OFF = new ReconcileSettings(null, DEFAULT_GRACE);

    public ReconcileSettings {
        Objects.requireNonNull(grace, "grace");
    }

    public boolean periodic() {
        return interval != null;
    }
}
