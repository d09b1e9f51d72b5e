package io.pipelinesecrets.contracts;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets-topic keys come from any producer. Whatever the key, parsing it gives a key that prints back to a key
 * parsing to itself, or a {@link MalformedSecretKeyException}; nothing else. The input is the key's UTF-8 bytes.
 */
class SecretKeyFuzzTest {

    static Stream<byte[]> wellFormedKeys() {
        return Stream.of("workspace:ws-42:DB_PASSWORD", "user:u.1@example:API_TOKEN", "user:9:_x", "workspace:1:a_b")
                .map(key -> key.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("wellFormedKeys")
    @FuzzTest
    void shouldReadBackEveryKeyItAcceptsOrRejectItAsMalformed(byte[] input) {
        SecretKey key;
        try {
            key = SecretKey.parse(new String(input, StandardCharsets.UTF_8));
        } catch (MalformedSecretKeyException rejected) {
            return;
        }
        assertThat(SecretKey.parse(key.toString())).isEqualTo(key);
    }
}
