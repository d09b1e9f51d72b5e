package io.pipelinesecrets.lifecycle.backend.google;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class GoogleLabelsTest {

    private static final Pattern GOOGLE_LABEL_VALUE = Pattern.compile("[a-z0-9_-]{0,63}");

    @Test
    void shouldKeepAValueThatFitsAsItIs() {
        assertThat(GoogleLabels.encode("tower-prod")).isEqualTo("tower-prod");
        assertThat(GoogleLabels.encode("workspace")).isEqualTo("workspace");
        assertThat(GoogleLabels.decode("tower-prod")).hasValue("tower-prod");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4Bi5xBK6E2Nbhj", "run.1", "x-looks-encoded", "h-looks-hashed", "Ünïcødé", "a b", ""})
    void shouldEncodeEveryOtherValueReversiblyWhenItFits(String value) {
        String label = GoogleLabels.encode(value);

        assertThat(label).matches(GOOGLE_LABEL_VALUE);
        assertThat(GoogleLabels.decode(label)).hasValue(value);
        assertThat(GoogleLabels.holds(label, value)).isTrue();
    }

    @Test
    void shouldHashAValueTooLongToEncodeAndStillMatchIt() {
        String longId = "User-" + "x".repeat(60);

        String label = GoogleLabels.encode(longId);

        assertThat(label).matches(GOOGLE_LABEL_VALUE).startsWith("h-").hasSize(42);
        assertThat(GoogleLabels.decode(label)).isEmpty();
        assertThat(GoogleLabels.holds(label, longId)).isTrue();
        assertThat(GoogleLabels.holds(label, longId + "y")).isFalse();
    }

    @Test
    void shouldNeverLetTwoValuesShareALabel() {
        assertThat(GoogleLabels.encode("Run1")).isNotEqualTo(GoogleLabels.encode("run1"));
        assertThat(GoogleLabels.encode(GoogleLabels.encode("Run1"))).isNotEqualTo(GoogleLabels.encode("Run1"));
    }
}
