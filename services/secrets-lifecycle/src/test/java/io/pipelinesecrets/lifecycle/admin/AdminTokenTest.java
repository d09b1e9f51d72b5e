package io.pipelinesecrets.lifecycle.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminTokenTest {

    private static final String TOKEN = "s3cr3t-admin-token-0123456789abcdef";

    @Test
    void shouldPrintAsRedactedAloneAndInsideTheAccessRecord() {
        AdminToken token = AdminToken.of(TOKEN);

        assertThat(token.toString()).isEqualTo("[redacted]");
        assertThat(new AdminAccess(Optional.of(token), true).toString()).doesNotContain(TOKEN).contains("[redacted]");
        assertThat(token.reveal()).isEqualTo(TOKEN);
    }

    @Test
    void shouldMatchOnlyTheExactToken() {
        AdminToken token = AdminToken.of(TOKEN);

        assertThat(token.matches(TOKEN)).isTrue();
        assertThat(token.matches(TOKEN.toUpperCase())).isFalse();
        assertThat(token.matches(TOKEN.substring(1))).isFalse();
        assertThat(token.matches(TOKEN + "=")).isFalse();
        assertThat(token.matches("")).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"short-token", "s3cr3t admin token 0123456789", "s3cr3t-admin-token-\"0123456789\"",
            "s3cr3t-admin-token-0123456789\n", "s3cr3t-admin-token-ünïcödé-0123", "==s3cr3t-admin-token-0123456789"})
    void shouldRefuseATextThatCannotBeABearerTokenWithoutQuotingIt(String text) {
        assertThat(AdminToken.problem(text)).isPresent();
        assertThatThrownBy(() -> AdminToken.of(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(text.strip());
    }

    @Test
    void shouldRefuseATokenLongerThanAHeaderCouldCarry() {
        assertThat(AdminToken.problem("a".repeat(AdminToken.MAXIMUM_LENGTH))).isEmpty();
        assertThat(AdminToken.problem("a".repeat(AdminToken.MAXIMUM_LENGTH + 1))).hasValueSatisfying(p -> assertThat(p).contains("longer"));
    }

    @Test
    void shouldMakeADifferentUsableTokenEveryTime() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String token = AdminToken.random().reveal();
            assertThat(AdminToken.problem(token)).as(token).isEmpty();
            tokens.add(token);
        }
        assertThat(tokens).hasSize(100);
    }

    @Test
    void shouldNotLetMetricsRequireATokenThatIsNotThere() {
        assertThatThrownBy(() -> new AdminAccess(Optional.empty(), true)).isInstanceOf(IllegalArgumentException.class);
    }
}
