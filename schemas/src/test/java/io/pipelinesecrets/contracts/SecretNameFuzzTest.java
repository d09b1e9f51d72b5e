package io.pipelinesecrets.contracts;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secret names arrive in keys and records from any producer: {@link SecretName#problem} and
 * {@link SecretName#isValid} never throw and always agree. On names short enough for the platform's backtracking
 * expression to answer quickly, the scan also agrees with that expression. The input is the name's UTF-8 bytes.
 */
class SecretNameFuzzTest {

    /** The platform's expression (as in {@code SecretNameTest}); exponential on long names that fail late. */
    private static final Pattern PLATFORM_RULE = Pattern.compile("^[a-zA-Z_](?:[0-9A-Za-z]+|(_)(?!\\1)){1,49}$");
    private static final int LONGEST_NAME_FOR_THE_EXPRESSION = 20;

    static Stream<byte[]> names() {
        return Stream.of("AWS_KEY", "db_password", "_private", "A1", "a__b", "has-hyphen", "a" + "_b".repeat(25))
                .map(name -> name.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("names")
    @FuzzTest
    void shouldGiveTheSameVerdictFromProblemAndIsValidWithoutThrowing(byte[] input) {
        String name = new String(input, StandardCharsets.UTF_8);

        Optional<String> problem = SecretName.problem(name);

        assertThat(SecretName.isValid(name)).isEqualTo(problem.isEmpty());
        if (name.length() <= LONGEST_NAME_FOR_THE_EXPRESSION) {
            boolean platformAccepts = PLATFORM_RULE.matcher(name).matches() && !name.startsWith("__");
            assertThat(problem.isEmpty()).as("scan agrees with the platform expression on '%s'", name)
                    .isEqualTo(platformAccepts);
        }
    }
}
