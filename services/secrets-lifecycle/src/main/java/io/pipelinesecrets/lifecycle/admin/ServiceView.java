package io.pipelinesecrets.lifecycle.admin;

import io.pipelinesecrets.lifecycle.run.RunState;
import io.pipelinesecrets.lifecycle.service.LifecycleService;

import java.util.Optional;

/**
 * What admin HTTP shows of the running service: {@link #of(LifecycleService)} in production; a test hands in
 * its own, so that the HTTP side (authentication included) is tested without a broker.
 */
public interface ServiceView {

    /** @see LifecycleService#alive() */
    boolean alive();

    /** @see LifecycleService#ready() */
    boolean ready();

    String describeState();

    /**
     * @see LifecycleService#run(String)
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the run state is not queryable
     */
    Optional<RunState> run(String runId);

    static ServiceView of(LifecycleService service) {
        return new ServiceView() {
            @Override
            public boolean alive() {
                return service.alive();
            }

            @Override
            public boolean ready() {
                return service.ready();
            }

            @Override
            public String describeState() {
                return service.describeState();
            }

            @Override
            public Optional<RunState> run(String runId) {
                return service.run(runId);
            }
        };
    }
}
