package io.pipelinesecrets.lifecycle.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durations come from a properties file or the environment. {@link ValueType#parseDuration} returns a duration
 * or refuses the text with an {@link IllegalArgumentException} or {@link ArithmeticException}, which the loader
 * reports as one problem line naming the key; it never fails another way. Every duration it returns reads back
 * from its ISO-8601 form. The input is the setting's UTF-8 bytes.
 */
class ConfigLoaderFuzzTest {

    static Stream<byte[]> durations() {
        return Stream.of("PT30S", "pt0.1s", "500ms", "10s", "5m", "24h", "7d", "-1s", " 3h ", "9223372036854775807d", "P1DT2H")
                .map(text -> text.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("durations")
    @FuzzTest
    void shouldParseADurationOrRefuseItWithAnExceptionTheLoaderReports(byte[] input) {
        Duration parsed;
        try {
            parsed = ValueType.parseDuration(new String(input, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | ArithmeticException refused) {
            return;
        }
        assertThat(parsed).isNotNull();
        assertThat(ValueType.parseDuration(parsed.toString())).isEqualTo(parsed);
    }
}
