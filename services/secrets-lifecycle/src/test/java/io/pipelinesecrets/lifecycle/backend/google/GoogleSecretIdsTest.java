package io.pipelinesecrets.lifecycle.backend.google;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoogleSecretIdsTest {

    private final GoogleSecretIds ids = new GoogleSecretIds(GoogleSecretIds.DEFAULT_TEMPLATE);

    @Test
    void shouldNameSecretsAsThePlatformDoes() {
        assertThat(ids.of("4Bi5xBK6E2Nbhj", "DB_PASSWORD")).isEqualTo("tower-4Bi5xBK6E2Nbhj-DB_PASSWORD");
        assertThat(ids.bundleOf("4Bi5xBK6E2Nbhj")).isEqualTo("tower-4Bi5xBK6E2Nbhj");
        assertThat(GoogleSecretIds.problem(ids.of("4Bi5xBK6E2Nbhj", "DB_PASSWORD"))).isEmpty();
    }

    @Test
    void shouldRefuseIdsSecretManagerRefuses() {
        assertThat(GoogleSecretIds.problem(ids.of("run.1", "A"))).hasValueSatisfying(p -> assertThat(p).contains("'-'"));
        assertThat(GoogleSecretIds.problem("a".repeat(256))).hasValueSatisfying(p -> assertThat(p).contains("255"));
        assertThatThrownBy(() -> new GoogleSecretIds("shared-{name}")).isInstanceOf(IllegalArgumentException.class);
    }
}
