package io.pipelinesecrets.testing.kafka;

import io.pipelinesecrets.testing.await.Await;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One test's view of the shared cluster: names unique to the test, topics that are ready before they are
 * returned, and client settings that point at the cluster.
 */
public final class TestKafka {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_TOPIC_NAME = 200;

    private final KafkaTestCluster cluster;
    private final String owner;

    TestKafka(KafkaTestCluster cluster, String owner) {
        this.cluster = cluster;
        this.owner = owner;
    }

    public KafkaTestCluster cluster() {
        return cluster;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** A name no other test in this JVM gets: {@code <TestClass>.<method>.<purpose>.<n>}, legal as a topic or group id. */
    public String uniqueName(String purpose) {
        String name = (owner + "." + purpose).replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.length() > MAX_TOPIC_NAME) {
            name = name.substring(name.length() - MAX_TOPIC_NAME);
        }
        return name + "." + SEQUENCE.incrementAndGet();
    }

    /** Creates a uniquely named topic and returns its name once every partition answers. */
    public String createTopic(String purpose, int partitions) {
        return createTopic(purpose, partitions, Map.of());
    }

    public String createTopic(String purpose, int partitions, Map<String, String> configs) {
        String topic = uniqueName(purpose);
        createTopicNamed(topic, partitions, configs);
        return topic;
    }

    /**
     * Creates a topic of the given name and waits until every partition answers a ListOffsets request: producing
     * right after creation can otherwise lose records (KAFKA-15591, seen here with acks=all and idempotence).
     */
    public void createTopicNamed(String topic, int partitions, Map<String, String> configs) {
        short replication = (short) Math.min(3, cluster.brokerCount());
        try (Admin admin = admin()) {
            admin.createTopics(java.util.List.of(new NewTopic(topic, partitions, replication).configs(configs)))
                    .all().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitPartitionsAnswer(admin, topic, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + topic + " on " + cluster.describe(), e);
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Producer settings for tests: durable and idempotent, as production producers should be. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }

    /** Consumer settings for tests: a group of this test's own, reading committed data from the beginning. */
    public Map<String, Object> consumerConfig(String purpose) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, uniqueName(purpose));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    private static void awaitPartitionsAnswer(Admin admin, String topic, int partitions) {
        Map<TopicPartition, OffsetSpec> request = IntStream.range(0, partitions).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        Await.atMost(TOPIC_READY_TIMEOUT).ignoring(ExecutionException.class).ignoring(TimeoutException.class)
                .until("every partition of " + topic + " to answer ListOffsets",
                        () -> admin.listOffsets(request).all().get(5, TimeUnit.SECONDS), answered -> true);
    }
}
