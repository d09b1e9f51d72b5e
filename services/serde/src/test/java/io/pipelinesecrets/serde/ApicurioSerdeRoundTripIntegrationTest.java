package io.pipelinesecrets.serde;

import io.pipelinesecrets.contracts.EventSchemas;
import io.pipelinesecrets.serde.registry.SchemaRegistries;
import io.pipelinesecrets.serde.registry.SchemaRegistry;
import io.pipelinesecrets.testing.registry.ApicurioRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The serde through a real Confluent-compatible registry (Apicurio 2.6.13, shared by the JVM): the producer
 * registers, a consumer with caches of its own fetches the writer's schema by id. Topics are unique per run, since
 * the registry outlives the test.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ApicurioSerdeRoundTripIntegrationTest {

    private final String url = ApicurioRegistry.shared().confluentUrl();

    @Test
    void shouldRoundTripEveryEventTypeThroughApicurio() {
        SchemaRegistry producerRegistry = SchemaRegistries.open(url);
        SchemaRegistry consumerRegistry = SchemaRegistries.open(url);
        List<SpecificRecord> events = SampleEvents.everyType();

        for (SpecificRecord event : events) {
            String topic = "apicurio-roundtrip-" + UUID.randomUUID() + "." + event.getSchema().getName();
            SpecificAvroSerde<SpecificRecord> producer = serde(producerRegistry, event, true);
            SpecificAvroSerde<SpecificRecord> consumer = serde(consumerRegistry, event, false);

            byte[] bytes = producer.serializer().serialize(topic, event);

            int registeredId = SchemaRegistries.open(url).lookup(topic + "-value",
                    EventSchemas.registryForm(event.getSchema())).id();
            assertThat(bytes[0]).isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id of %s", topic).isEqualTo(registeredId);
            assertThat(consumer.deserializer().deserialize(topic, bytes)).isEqualTo(event);
            assertThat(consumer.serializer().serialize(topic, event))
                    .as("without auto-registration the serializer finds the registered schema").isEqualTo(bytes);
        }
    }

    @Test
    void shouldFailClearlyWhenTheSchemaIsNotRegisteredAndAutoRegistrationIsOff() {
        SpecificRecord event = SampleEvents.everyType().get(0);
        String topic = "apicurio-unregistered-" + UUID.randomUUID();
        SpecificAvroSerde<SpecificRecord> serde = serde(SchemaRegistries.open(url), event, false);

        assertThatThrownBy(() -> serde.serializer().serialize(topic, event))
                .isInstanceOf(SchemaResolutionException.class)
                .hasMessageContaining(topic + "-value")
                .hasMessageContaining("auto-registration is off");
    }

    @SuppressWarnings("unchecked")
    private static SpecificAvroSerde<SpecificRecord> serde(SchemaRegistry registry, SpecificRecord event,
                                                           boolean autoRegister) {
        return new SpecificAvroSerde<>(registry, (Class<SpecificRecord>) event.getClass(), autoRegister);
    }
}
