package io.pipelinesecrets.testing.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a running Kafka cluster: declare a {@link TestKafka} parameter on a test, a lifecycle method or a
 * constructor. The cluster is shared by the whole JVM ({@link KafkaBrokers} picks its size); what belongs to one
 * test — its topics and group ids — is named after the test, so tests never see each other's records.
 *
 * <pre>{@code
 * @ExtendWith(KafkaClusterExtension.class)
 * class SomethingIntegrationTest {
 *     @Test
 *     void shouldDoIt(TestKafka kafka) {
 *         String topic = kafka.createTopic("launched", 3);
 *         ...
 * }</pre>
 */
public final class KafkaClusterExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        int brokers = context.getTestClass()
                .map(c -> c.getAnnotation(KafkaBrokers.class))
                .map(KafkaBrokers::value)
                .orElse(1);
        KafkaTestCluster cluster = SharedClusters.get(context, brokers);
        String owner = context.getTestClass().map(Class::getSimpleName).orElse("test")
                + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
        return new TestKafka(cluster, owner);
    }
}
