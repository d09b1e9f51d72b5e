package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.schemas.EventSubjects;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.serde.registry.SchemaRegistryException;

import java.util.ArrayList;
import java.util.List;

/**
 * With auto-registration off (production), every schema the service writes must already be registered — by the
 * deploy pipeline or {@code schemas register}. Checked at start-up, so a missing or different schema stops the
 * service with a message that says how to fix it, instead of failing the first audit write.
 */
public final class SchemaCheck {

    private SchemaCheck() {
    }

    public static void verifyRegistered(SchemaRegistry registry, ServiceTopics topics, String registryUrl) {
        List<String> problems = new ArrayList<>();
        for (EventSubjects.Subject subject : EventSubjects.of(topics).writtenByService()) {
            try {
                registry.lookup(subject.name(), subject.schema());
            } catch (SchemaRegistryException.SubjectNotFound | SchemaRegistryException.SchemaNotFound e) {
                problems.add("subject " + subject.name() + " does not hold this version of " + subject.schema().getFullName()
                        + " (" + e.getMessage() + ")");
            } catch (SchemaRegistryException e) {
                throw new StartupException("cannot reach the schema registry at " + registryUrl + ": " + e.getMessage(), e);
            }
        }
        if (!problems.isEmpty()) {
            throw new StartupException(String.join("; ", problems) + ". Register the schemas first: "
                    + "`java -jar secrets-lifecycle.jar schemas register --config <file>` (or the deploy pipeline); "
                    + "schema.registry.auto-register=true does it on first use, for dev only");
        }
    }
}
