package io.pipelinesecrets.lifecycle.secrets;

import java.util.Objects;

/**
 * A secret's value. The only way to read it is {@link #reveal()}, called by backends at the moment they write
 * it; {@code toString} is redacted, so a value inside a record, a log argument or an exception message prints
 * as {@value #REDACTED}. Deliberately no {@code equals}: comparing values belongs to tests, which reveal.
 */
public final class SecretValue {

    public static final String REDACTED = "[redacted]";

    private final String value;

    private SecretValue(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static SecretValue of(String value) {
        return new SecretValue(value);
    }

    /** The value in clear text, for the backend call that stores it. Never log, audit or return it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return REDACTED;
    }
}
