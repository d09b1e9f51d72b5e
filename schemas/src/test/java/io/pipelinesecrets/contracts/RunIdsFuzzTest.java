package io.pipelinesecrets.contracts;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run id chooses a directory and a backend name, and any producer writes it. {@link RunIds#problem} never throws,
 * accepts exactly the ids of the documented rule (restated here as an expression without backtracking) and, when it
 * refuses one, says so in a message without control characters, since the message goes to logs and DLQ headers.
 * The input is the id's UTF-8 bytes.
 */
class RunIdsFuzzTest {

    private static final Pattern DOCUMENTED_RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    static Stream<byte[]> ids() {
        return Stream.of("4Bi5xBK6E2Nbhj", "run-1", "a.b_c-d", "..", "../etc", "-x", "x".repeat(129), "run\n1")
                .map(id -> id.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("ids")
    @FuzzTest
    void shouldAcceptOnlyIdsSafeInPathsAndNamesWithoutThrowing(byte[] input) {
        String runId = new String(input, StandardCharsets.UTF_8);

        Optional<String> problem = RunIds.problem(runId);

        assertThat(problem.isEmpty()).as("verdict on '%s'", runId).isEqualTo(DOCUMENTED_RULE.matcher(runId).matches());
        assertThat(RunIds.isValid(runId)).isEqualTo(problem.isEmpty());
        problem.ifPresent(message -> assertThat(message.chars().noneMatch(Character::isISOControl))
                .as("message free of control characters: %s", message).isTrue());
    }
}
