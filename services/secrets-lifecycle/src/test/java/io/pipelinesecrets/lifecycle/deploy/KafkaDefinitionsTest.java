package io.pipelinesecrets.lifecycle.deploy;

import io.pipelinesecrets.lifecycle.config.ServiceKeys;
import io.pipelinesecrets.lifecycle.config.ServiceTopics;
import io.pipelinesecrets.lifecycle.service.TopicLayout;
import io.pipelinesecrets.lifecycle.topology.LifecycleTopology;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kafka: the topic definitions must be the topics the service expects ({@link TopicLayout}, what `dev` and
 * `topics apply` create), and the ACLs must give the service everything it needs (Kafka Streams included) while
 * keeping secret values (the secrets topic and the DLQ) away from everyone who does not need them. Grants are
 * matched with Kafka's own resource-pattern matching.
 */
class KafkaDefinitionsTest {

    private static final String APPLICATION_ID = ServiceKeys.APPLICATION_ID.defaultText();
    /** LifecycleService runs the secrets-topic validation as a second Streams application with this id suffix. */
    private static final String VALIDATION_APPLICATION_ID = APPLICATION_ID + "-secret-validation";
    private static final ServiceTopics TOPICS = ServiceTopics.DEFAULTS;
    private static final Set<String> ROLES = Set.of("service", "platform", "dashboards", "replay", "deploy");

    private final Map<String, Map<String, String>> topics = topicDefinitions();
    private final List<AclBinding> acls = aclDefinitions();

    // ---- topics

    @Test
    void shouldDefineExactlyTheTopicsTheServiceExpectsWithItsPolicies() {
        Map<String, String> launched = topics.get(TOPICS.launched());
        List<NewTopic> expected = new TopicLayout(TOPICS, Integer.parseInt(launched.get("partitions")),
                Short.parseShort(launched.get("replication"))).newTopics();

        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(expected.stream().map(NewTopic::name).toList());
        for (NewTopic topic : expected) {
            Map<String, String> defined = topics.get(topic.name());
            assertThat(Integer.parseInt(defined.get("partitions"))).as("%s partitions", topic.name()).isEqualTo(topic.numPartitions());
            assertThat(Short.parseShort(defined.get("replication"))).as("%s replication", topic.name()).isEqualTo(topic.replicationFactor());
            topic.configs().forEach((key, value) ->
                    assertThat(defined.get(key)).as("%s %s", topic.name(), key).isEqualTo(value));
            defined.forEach((key, value) -> {
                if (!topic.configs().containsKey(key) && !Set.of("partitions", "replication").contains(key)) {
                    assertThat(key).as("%s sets %s, which the service does not expect", topic.name(), key)
                            .isEqualTo("min.insync.replicas");
                }
            });
        }
    }

    @Test
    void shouldGiveBothWorkflowTopicsThePartitionCountTheServiceRequires() {
        assertThat(topics.get(TOPICS.completed()).get("partitions")).isEqualTo(topics.get(TOPICS.launched()).get("partitions"));
    }

    @Test
    void shouldKeepAcknowledgedWritesWhenOneReplicaIsLost() {
        topics.forEach((name, defined) -> {
            int replication = Integer.parseInt(defined.get("replication"));
            int minInsync = Integer.parseInt(defined.get("min.insync.replicas"));
            assertThat(minInsync).as("%s min.insync.replicas", name).isBetween(2, replication - 1);
        });
    }

    // ---- ACLs: the service

    @Test
    void shouldLetTheServiceReadItsInputsAndWriteItsOutputs() {
        for (String input : List.of(TOPICS.launched(), TOPICS.completed(), TOPICS.secrets())) {
            assertThat(granted("service", ResourceType.TOPIC, input, AclOperation.READ)).as("read %s", input).isTrue();
        }
        for (String output : List.of(TOPICS.audit(), TOPICS.deadLetters())) {
            assertThat(granted("service", ResourceType.TOPIC, output, AclOperation.WRITE)).as("write %s", output).isTrue();
        }
        for (String topic : TOPICS.all()) {
            assertThat(granted("service", ResourceType.TOPIC, topic, AclOperation.DESCRIBE))
                    .as("the start-up check describes %s", topic).isTrue();
        }
        assertThat(granted("service", ResourceType.TOPIC, TOPICS.secrets(), AclOperation.WRITE))
                .as("the service never writes secrets").isFalse();
    }

    @Test
    void shouldLetKafkaStreamsManageItsInternalTopicsGroupsAndTransactionsUnderTheApplicationId() {
        String changelog = APPLICATION_ID + "-" + LifecycleTopology.RUN_STATE_STORE + "-changelog";
        for (String internal : List.of(changelog, VALIDATION_APPLICATION_ID + "-some-store-changelog",
                APPLICATION_ID + "-some-repartition")) {
            for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE,
                    AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)) {
                assertThat(granted("service", ResourceType.TOPIC, internal, op)).as("%s on %s", op, internal).isTrue();
            }
        }
        for (String group : List.of(APPLICATION_ID, VALIDATION_APPLICATION_ID)) {
            assertThat(granted("service", ResourceType.GROUP, group, AclOperation.READ)).as("group %s", group).isTrue();
        }
        for (String applicationId : List.of(APPLICATION_ID, VALIDATION_APPLICATION_ID)) {
            String transactionalId = applicationId + "-" + UUID.randomUUID() + "-1"; // exactly_once_v2: <app id>-<process id>-<thread>
            for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
                assertThat(granted("service", ResourceType.TRANSACTIONAL_ID, transactionalId, op))
                        .as("%s on transactional id %s", op, transactionalId).isTrue();
            }
        }
    }

    @Test
    void shouldKeepTheInternalTopicPrefixOffTheServicesOwnTopics() {
        for (String topic : TOPICS.all()) {
            assertThat(granted("service", ResourceType.TOPIC, topic, AclOperation.CREATE))
                    .as("the service does not create %s (topics apply does)", topic).isFalse();
        }
    }

    // ---- ACLs: everyone else

    @Test
    void shouldLetThePlatformProduceTheWorkflowEventsAndSecrets() {
        for (String topic : List.of(TOPICS.launched(), TOPICS.completed(), TOPICS.secrets())) {
            assertThat(granted("platform", ResourceType.TOPIC, topic, AclOperation.WRITE)).as(topic).isTrue();
        }
    }

    @Test
    void shouldLetDashboardsReadTheAuditTopicAndNothingHoldingSecretValues() {
        assertThat(granted("dashboards", ResourceType.TOPIC, TOPICS.audit(), AclOperation.READ)).isTrue();
        assertThat(grantsOn("dashboards", ResourceType.TOPIC, TOPICS.secrets())).isEmpty();
        assertThat(grantsOn("dashboards", ResourceType.TOPIC, TOPICS.deadLetters())).isEmpty();
    }

    @Test
    void shouldLetOnlyTheServiceReadTheSecretsTopicAndOnlyReplayToolingReadTheDlq() {
        assertThat(readers(TOPICS.secrets())).containsExactly("service");
        assertThat(readers(TOPICS.deadLetters())).containsExactly("replay");
    }

    @Test
    void shouldLetReplayToolingRedriveWorkflowEventsAndReadRunState() {
        assertThat(granted("replay", ResourceType.TOPIC, TOPICS.deadLetters(), AclOperation.READ)).isTrue();
        assertThat(granted("replay", ResourceType.TOPIC, TOPICS.launched(), AclOperation.WRITE)).isTrue();
        assertThat(granted("replay", ResourceType.TOPIC, TOPICS.completed(), AclOperation.WRITE)).isTrue();
        assertThat(granted("replay", ResourceType.TOPIC, APPLICATION_ID + "-" + LifecycleTopology.RUN_STATE_STORE
                + "-changelog", AclOperation.READ)).isTrue();
    }

    @Test
    void shouldLetTheDeployPipelineCreateAndInspectEveryTopic() {
        for (String topic : TOPICS.all()) {
            for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)) {
                assertThat(granted("deploy", ResourceType.TOPIC, topic, op)).as("%s %s", op, topic).isTrue();
            }
        }
    }

    @Test
    void shouldGrantNothingBroad() {
        assertThat(acls).allSatisfy(acl -> {
            assertThat(acl.entry().operation()).as("%s", acl).isNotIn(AclOperation.ALL, AclOperation.UNKNOWN);
            assertThat(acl.pattern().name()).as("%s", acl).isNotEqualTo(ResourcePattern.WILDCARD_RESOURCE);
        });
    }

    // ---- the scripts read these files

    @Test
    void shouldPrintOneKafkaAclsCommandPerGrant() throws Exception {
        List<String> commands = printed("deploy/kafka/acls.sh");

        assertThat(commands).hasSize((int) aclLines().count());
        assertThat(commands).allSatisfy(c -> assertThat(c).startsWith("kafka-acls.sh ").contains(" --add ")
                .contains(" --allow-principal User:").contains(" --resource-pattern-type "));
        assertThat(commands).anyMatch(c -> c.contains("--transactional-id secrets-lifecycle-")
                && c.contains("--resource-pattern-type prefixed"));
    }

    @Test
    void shouldPrintOneKafkaTopicsCommandPerTopic() throws Exception {
        List<String> commands = printed("deploy/kafka/topics.sh");

        assertThat(commands).hasSize(topics.size());
        topics.forEach((name, defined) -> assertThat(commands).anyMatch(c -> c.contains("--topic " + name + " ")
                && c.contains("--partitions " + defined.get("partitions") + " ")
                && c.contains("cleanup.policy=" + defined.get("cleanup.policy"))));
    }

    // ---- reading the definitions

    private static Map<String, Map<String, String>> topicDefinitions() {
        String[] columns = {"partitions", "replication", "cleanup.policy", "retention.ms", "min.insync.replicas"};
        Map<String, Map<String, String>> topics = new TreeMap<>();
        DeployFiles.read("deploy/kafka/topics.txt").lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(line -> {
                    String[] fields = line.split("\\s+");
                    assertThat(fields).as("topics.txt: %s", line).hasSize(columns.length + 1);
                    Map<String, String> definition = new LinkedHashMap<>();
                    for (int i = 0; i < columns.length; i++) {
                        if (!fields[i + 1].equals("-")) {
                            definition.put(columns[i], fields[i + 1]);
                        }
                    }
                    assertThat(topics.put(fields[0], definition)).as("%s defined once", fields[0]).isNull();
                });
        return topics;
    }

    private static java.util.stream.Stream<String[]> aclLines() {
        return DeployFiles.read("deploy/kafka/acls.txt").lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).map(line -> line.split("\\s+"));
    }

    /** acls.txt as Kafka ACL bindings, each role standing for principal User:<role>. */
    private static List<AclBinding> aclDefinitions() {
        List<AclBinding> bindings = new ArrayList<>();
        aclLines().forEach(fields -> {
            assertThat(fields).as("acls.txt: %s", String.join(" ", fields)).hasSize(5);
            assertThat(ROLES).as("role").contains(fields[0]);
            ResourceType type = switch (fields[1]) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                case "transactional-id" -> ResourceType.TRANSACTIONAL_ID;
                case "cluster" -> ResourceType.CLUSTER;
                default -> throw new AssertionError("acls.txt: unknown resource type " + fields[1]);
            };
            PatternType pattern = PatternType.fromString(fields[2].toUpperCase(Locale.ROOT));
            assertThat(pattern).as("pattern type %s", fields[2]).isIn(PatternType.LITERAL, PatternType.PREFIXED);
            for (String operation : fields[4].split(",")) {
                // kafka-acls.sh's own parser for operation names such as DescribeConfigs.
                AclOperation op = SecurityUtils.operation(operation);
                bindings.add(new AclBinding(new ResourcePattern(type, fields[3], pattern),
                        new AccessControlEntry("User:" + fields[0], "*", op, AclPermissionType.ALLOW)));
            }
        });
        assertThat(bindings).isNotEmpty();
        return bindings;
    }

    /** Whether the role may do {@code op} on the named resource, with Kafka's implications (Read/Write imply Describe). */
    private boolean granted(String role, ResourceType type, String name, AclOperation op) {
        Set<AclOperation> satisfying = switch (op) {
            case DESCRIBE -> Set.of(AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE,
                    AclOperation.ALTER, AclOperation.ALL);
            case DESCRIBE_CONFIGS -> Set.of(AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.ALL);
            default -> Set.of(op, AclOperation.ALL);
        };
        return grantsOn(role, type, name).stream().anyMatch(acl -> satisfying.contains(acl.entry().operation()));
    }

    private List<AclBinding> grantsOn(String role, ResourceType type, String name) {
        ResourcePatternFilter resource = new ResourcePatternFilter(type, name, PatternType.MATCH);
        return acls.stream().filter(acl -> acl.entry().principal().equals("User:" + role))
                .filter(acl -> resource.matches(acl.pattern())).toList();
    }

    private List<String> readers(String topic) {
        return ROLES.stream().filter(role -> granted(role, ResourceType.TOPIC, topic, AclOperation.READ)).sorted().toList();
    }

    /** The commands a deploy/kafka script prints in its default (print) mode. */
    private static List<String> printed(String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", DeployFiles.path(script).toString()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", script, output).isZero();
        return Arrays.stream(output.split("\\R")).map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
