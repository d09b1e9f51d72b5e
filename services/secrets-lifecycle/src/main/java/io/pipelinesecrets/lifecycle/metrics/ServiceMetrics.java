package io.pipelinesecrets.lifecycle.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Clock;
import java.util.List;

/**
 * The service's metrics registry, Prometheus-backed, and everything bound to it: the lifecycle meters
 * ({@link LifecycleMetrics}), the run-state gauges ({@link RunStateGauges}), the JVM and process binders, and the
 * Kafka Streams applications' own metrics ({@code kafka_stream_*}, plus their embedded clients'
 * {@code kafka_consumer_*}/{@code kafka_producer_*}/{@code kafka_admin_*}). Created once per process by the
 * runtime and served by the admin server at {@code /metrics}.
 */
public final class ServiceMetrics implements AutoCloseable {

    /** Prometheus text exposition format 0.0.4, what {@link #scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final LifecycleMetrics lifecycle;
    private final RunStateGauges runs;
    private final JvmGcMetrics gc;

    private ServiceMetrics(PrometheusMeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.lifecycle = new LifecycleMetrics(registry);
        this.runs = new RunStateGauges(registry, clock, RunStateGauges.DEFAULT_MAX_AGE);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
    }

    public static ServiceMetrics create(Clock clock) {
        return new ServiceMetrics(newRegistry(), clock);
    }

    /** A Prometheus registry that names meters as the metrics contract says ({@link ServiceNamingConvention}). */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().namingConvention(new ServiceNamingConvention());
        return registry;
    }

    /** What the topology and the backend dispatcher report to, and the reconciler's {@code orphanDeleted}. */
    public LifecycleMetrics lifecycle() {
        return lifecycle;
    }

    public RunStateGauges runs() {
        return runs;
    }

    /**
     * Bridges one Kafka Streams application's metrics (a {@code StreamsBinding} of the service), labelled
     * {@code application} ({@code lifecycle} or {@code secret-validation}); closing the result removes them. The binder refreshes its view of the application's metrics every minute, so task
     * metrics of partitions assigned later appear within a minute.
     */
    public AutoCloseable bindStreams(String application, KafkaStreams streams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams, Tags.of("application", application));
        binder.bindTo(registry);
        return binder;
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    /** For tests: the registry itself. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** Backends known from the start, whose counters are then exposed at zero. */
    public ServiceMetrics withBackends(List<String> backends) {
        lifecycle.withBackends(backends);
        return this;
    }
}
