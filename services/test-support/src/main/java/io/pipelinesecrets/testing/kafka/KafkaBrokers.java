package io.pipelinesecrets.testing.kafka;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How many brokers the shared cluster of an annotated test class has (default one). Each size is started once
 * per JVM and shared by every class that asks for it; three brokers run with replication 3 and min.insync 2.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
public @interface KafkaBrokers {
    int value();
}
