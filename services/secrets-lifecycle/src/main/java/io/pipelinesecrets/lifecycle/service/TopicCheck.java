package io.pipelinesecrets.lifecycle.service;

import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Start-up checks of the topics the service needs, and their creation where the service owns the cluster (dev). */
public final class TopicCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicCheck() {
    }

    /**
     * Refuses to start unless every topic exists, both workflow topics have the same partition count (the lifecycle
     * processor sees all events of a run only if a run id maps to the same partition number in both) and the secrets
     * topic is compacted (a deleting topic would drop secrets after its retention: runs would be provisioned without
     * them, and a restart would lose them all).
     *
     * @return the largest record both the audit and the dead-letter topic take ({@code max.message.bytes}), which
     *         the service keeps every record it writes there under
     */
    public static int verify(Admin admin, ServiceTopics topics) {
        Map<String, ObservedTopic> found = observe(admin, topics.all());
        List<String> missing = topics.all().stream().filter(t -> !found.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            throw new StartupException("topics " + missing + " do not exist: create them before starting (the topic"
                    + " definitions are in deploy/kafka and docs/design.md §3; `dev` creates them itself)");
        }
        partitionMismatch(topics, found.get(topics.launched()).partitions(), found.get(topics.completed()).partitions())
                .ifPresent(problem -> {
                    throw new StartupException(problem + ", then start the service");
                });
        String cleanup = found.get(topics.secrets()).configs().getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "");
        if (!List.of(cleanup.split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new StartupException("topic " + topics.secrets() + " has cleanup.policy=" + cleanup + "; it must be"
                    + " compacted, or secrets disappear after its retention. Fix: kafka-configs.sh --alter --entity-type"
                    + " topics --entity-name " + topics.secrets() + " --add-config cleanup.policy=compact");
        }
        return Math.min(maxMessageBytes(found.get(topics.audit())), maxMessageBytes(found.get(topics.deadLetters())));
    }

    private static int maxMessageBytes(ObservedTopic topic) {
        try {
            return Integer.parseInt(topic.configs().getOrDefault(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588").trim());
        } catch (NumberFormatException e) {
            throw new StartupException("topic " + topic.name() + " reports max.message.bytes="
                    + topic.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG) + ", not a number of bytes");
        }
    }

    /**
     * Why the two workflow topics' partition counts cannot work together, with the fix; empty when they are equal.
     * The lifecycle processor sees all events of a run only if a run id maps to the same partition number in both.
     */
    public static Optional<String> partitionMismatch(ServiceTopics topics, int launched, int completed) {
        if (launched == completed) {
            return Optional.empty();
        }
        return Optional.of("topic " + topics.launched() + " has " + launched + " partitions but "
                + topics.completed() + " has " + completed + "; they must be equal so that every event of a run"
                + " reaches the same task. Fix: raise the smaller to " + Math.max(launched, completed)
                + " (kafka-topics.sh --alter --partitions " + Math.max(launched, completed) + " --topic "
                + (launched < completed ? topics.launched() : topics.completed()) + ") while no runs are in flight");
    }

    /** Creates whichever topics are missing and returns once every partition of each answers. */
    public static List<String> createMissing(Admin admin, TopicLayout layout) {
        List<NewTopic> wanted = layout.newTopics();
        Set<String> existing = describeExisting(admin, wanted.stream().map(NewTopic::name).toList()).keySet();
        List<NewTopic> toCreate = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        create(admin, toCreate);
        for (String topic : existing) {
            awaitPartitionsAnswer(admin, topic);
        }
        return toCreate.stream().map(NewTopic::name).toList();
    }

    /**
     * Creates the topics (one that appeared meanwhile is left as it is) and returns once every partition of each
     * answers.
     */
    public static void create(Admin admin, List<NewTopic> toCreate) {
        if (!toCreate.isEmpty()) {
            try {
                admin.createTopics(toCreate).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new StartupException("cannot create topics " + toCreate.stream().map(NewTopic::name).toList(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while creating topics", e);
            } catch (TimeoutException e) {
                throw new StartupException("creating topics took longer than " + TIMEOUT, e);
            }
        }
        for (NewTopic topic : toCreate) {
            awaitPartitionsAnswer(admin, topic.name());
        }
    }

    /**
     * What the cluster has of the named topics: partitions, replicas and effective configuration (explicit or
     * broker default). Topics that do not exist are absent from the result.
     */
    public static Map<String, ObservedTopic> observe(Admin admin, List<String> names) {
        Map<String, TopicDescription> found = describeExisting(admin, names);
        if (found.isEmpty()) {
            return Map.of();
        }
        List<ConfigResource> resources = found.keySet().stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs;
        try {
            configs = admin.describeConfigs(resources).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while describing topic configurations", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot describe the configuration of topics " + found.keySet() + ": "
                    + e.getMessage(), e);
        }
        Map<String, ObservedTopic> observed = new LinkedHashMap<>();
        for (String name : names) {
            TopicDescription description = found.get(name);
            if (description == null) {
                continue;
            }
            Map<String, String> settings = new HashMap<>();
            configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries().forEach(entry -> {
                if (entry.value() != null) {
                    settings.put(entry.name(), entry.value());
                }
            });
            List<Integer> replicas = description.partitions().stream().map(p -> p.replicas().size()).toList();
            observed.put(name, new ObservedTopic(name, description.partitions().size(),
                    replicas.stream().min(Integer::compare).orElse(0), replicas.stream().max(Integer::compare).orElse(0),
                    settings));
        }
        return observed;
    }

    private static Map<String, TopicDescription> describeExisting(Admin admin, List<String> names) {
        try {
            Set<String> listed = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<String> present = names.stream().filter(listed::contains).toList();
            return admin.describeTopics(present).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while describing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot describe topics " + names + " (is Kafka reachable?): " + e.getMessage(), e);
        }
    }

    /**
     * Producing right after creating a topic can lose records (KAFKA-15591, seen here with acks=all and
     * idempotence), so creation is complete only when every partition answers a ListOffsets request.
     */
    private static void awaitPartitionsAnswer(Admin admin, String topic) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(5, TimeUnit.SECONDS).get(topic).partitions().size();
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    request.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
                admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for " + topic, e);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
                try {
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new StartupException("interrupted while waiting for " + topic, interrupted);
                }
            }
        }
        throw new StartupException("partitions of " + topic + " did not become available within " + TIMEOUT
                + ": " + (last == null ? "" : last.getMessage()));
    }
}
