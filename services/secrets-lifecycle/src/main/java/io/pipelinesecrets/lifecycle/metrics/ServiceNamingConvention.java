package io.pipelinesecrets.lifecycle.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

/**
 * Prometheus naming, except that this service's own meters keep a {@code _created} ending. The Prometheus client
 * strips it as a reserved suffix (in OpenMetrics a counter {@code foo} has a {@code foo_created} sample), which
 * would expose {@code pipeline.secrets.secrets.created} as {@code pipeline_secrets_secrets_total}, not the agreed
 * {@code pipeline_secrets_secrets_created_total}. No meter here is named so that the kept suffix could clash
 * (there is no counter {@code pipeline.secrets.secrets}). Everything else is converted as Micrometer always does.
 */
final class ServiceNamingConvention implements NamingConvention {

    static final String OWN_PREFIX = "pipeline.secrets.";
    private static final String CREATED = ".created";

    private final NamingConvention prometheus = new PrometheusNamingConvention();

    @Override
    public String name(String name, Meter.Type type, String baseUnit) {
        String converted = prometheus.name(name, type, baseUnit);
        if (name.startsWith(OWN_PREFIX) && name.endsWith(CREATED) && baseUnit == null && !converted.endsWith("_created")) {
            return converted + "_created";
        }
        return converted;
    }

    @Override
    public String tagKey(String key) {
        return prometheus.tagKey(key);
    }

    @Override
    public String tagValue(String value) {
        return prometheus.tagValue(value);
    }
}
