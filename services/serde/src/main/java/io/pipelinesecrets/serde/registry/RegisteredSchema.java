package io.pipelinesecrets.serde.registry;

import org.apache.avro.Schema;

/** A schema as the registry knows it: the subject it is registered under, its global id and its version there. */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {
}
