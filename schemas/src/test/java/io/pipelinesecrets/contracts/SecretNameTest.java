package io.pipelinesecrets.contracts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SecretNameTest {

    /** The platform's expression, verbatim; the scan in {@link SecretName} must agree with it. */
    private static final Pattern PLATFORM_RULE = Pattern.compile("^[a-zA-Z_](?:[0-9A-Za-z]+|(_)(?!\\1)){1,49}$");

    private static boolean platformAccepts(String name) {
        return name.length() <= SecretName.MAX_LENGTH && PLATFORM_RULE.matcher(name).matches() && !name.startsWith("__");
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS_KEY", "db_password", "_private", "A1", "token9", "a_b_c", "x_", "Ab"})
    void shouldAcceptNamesThePlatformAccepts(String name) {
        assertThat(SecretName.isValid(name)).isTrue();
        assertThat(platformAccepts(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "1abc", "__x", "a__b", "has-hyphen", "has space", "dot.name", "ünï", "a/b", "../x"})
    void shouldRejectNamesThePlatformRejects(String name) {
        assertThat(SecretName.isValid(name)).isFalse();
        assertThat(platformAccepts(name)).isFalse();
    }

    @Test
    void shouldAgreeWithThePlatformExpressionOnEveryShortString() {
        char[] alphabet = {'a', 'Z', '7', '_', '-'};
        List<String> disagreements = new ArrayList<>();
        List<String> all = new ArrayList<>();
        all.add("");
        for (int length = 1; length <= 6; length++) {
            List<String> next = new ArrayList<>();
            for (String prefix : all) {
                if (prefix.length() == length - 1) {
                    for (char c : alphabet) {
                        next.add(prefix + c);
                    }
                }
            }
            all.addAll(next);
        }
        for (String candidate : all) {
            if (SecretName.isValid(candidate) != platformAccepts(candidate)) {
                disagreements.add(candidate);
            }
        }
        assertThat(all).hasSizeGreaterThan(19_000);
        assertThat(disagreements).as("names where the scan and the platform expression disagree").isEmpty();
    }

    @Test
    void shouldCountUnderscoreSeparatedPartsLikeTheExpression() {
        String fortyNineParts = "a" + "_b".repeat(24) + "_";
        String fiftyParts = "a" + "_b".repeat(25);
        assertThat(SecretName.isValid(fortyNineParts)).isEqualTo(platformAccepts(fortyNineParts)).isTrue();
        assertThat(SecretName.isValid(fiftyParts)).isEqualTo(platformAccepts(fiftyParts)).isFalse();
        assertThat(SecretName.problem(fiftyParts)).hasValueSatisfying(p -> assertThat(p).contains("49"));
    }

    @Test
    void shouldRejectALongNameThatFailsLateWithoutBacktracking() {
        // The platform expression needs exponential time for this input; the scan must answer at once.
        String pathological = "a".repeat(99) + "!";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(SecretName.isValid(pathological)).isFalse());
    }

    @Test
    void shouldNameTheBrokenRuleInTheError() {
        assertThatThrownBy(() -> SecretName.require("my-secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("my-secret")
                .hasMessageContaining("'-'");
        assertThat(SecretName.problem("x".repeat(101))).hasValueSatisfying(p -> assertThat(p).contains("100"));
    }
}
