package io.pipelinesecrets.lifecycle.topology;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FastInstantDeserializerTest {

    @Property(tries = 2000)
    void shouldReadEveryInstantAsInstantParseDoes(@ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long seconds,
                                                  @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
        Instant instant = Instant.ofEpochSecond(seconds, nanos);
        String text = instant.toString();
        if (text.length() <= 30 && !text.startsWith("+") && !text.startsWith("-")) {
            assertThat(FastInstantDeserializer.parse(text)).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void shouldLeaveEveryOtherTextToTheGeneralParser() {
        for (String text : new String[] {"2026-03-02T10:15:00.Z", "2026-03-02T10:15:00+01:00", "2026-13-02T10:15:00Z",
                "2026-02-30T10:15:00Z", "2026-03-02T24:00:00Z", "2026-03-02T10:15:00.1234567890Z", "+12026-03-02T10:15:00Z",
                "2026-03-02 10:15:00Z", "2026-03-02T10:15:0xZ", ""}) {
            assertThat(FastInstantDeserializer.parse(text)).as(text).isNull();
        }
        assertThat(FastInstantDeserializer.parse("2026-03-02T10:15:00Z")).isEqualTo(Instant.parse("2026-03-02T10:15:00Z"));
        assertThat(FastInstantDeserializer.parse("2026-03-02T10:15:00.1Z")).isEqualTo(Instant.parse("2026-03-02T10:15:00.1Z"));
    }
}
