package io.pipelinesecrets.contracts;

import io.pipelinesecrets.events.SecretScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretKeyTest {

    @Test
    void shouldParseAWorkspaceKey() {
        SecretKey key = SecretKey.parse("workspace:ws-42:DB_PASSWORD");

        assertThat(key.scope()).isEqualTo(SecretScope.WORKSPACE);
        assertThat(key.ownerId()).isEqualTo("ws-42");
        assertThat(key.name()).isEqualTo("DB_PASSWORD");
    }

    @Test
    void shouldParseAUserKey() {
        assertThat(SecretKey.parse("user:1234:token")).isEqualTo(SecretKey.user("1234", "token"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"workspace:ws-42:DB_PASSWORD", "user:u.1@example:API_TOKEN", "user:9:_x"})
    void shouldRoundTripThroughItsTopicForm(String key) {
        assertThat(SecretKey.parse(key).toString()).isEqualTo(key);
    }

    @Test
    void shouldGiveEveryOwnerAPrefixThatNoOtherOwnerShares() {
        String prefixOfOne = SecretKey.ownerPrefix(SecretScope.WORKSPACE, "1");

        assertThat(SecretKey.workspace("1", "A_B").toString()).startsWith(prefixOfOne);
        assertThat(SecretKey.workspace("12", "A_B").toString()).doesNotStartWith(prefixOfOne);
        assertThat(SecretKey.user("1", "A_B").toString()).doesNotStartWith(prefixOfOne);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DB_PASSWORD                 | not of the form",
            "workspace:DB_PASSWORD       | not of the form",
            "team:7:DB_PASSWORD          | expected 'workspace' or 'user'",
            "WORKSPACE:7:DB_PASSWORD     | expected 'workspace' or 'user'",
            "workspace::DB_PASSWORD      | owner id is empty",
            "workspace:a:b:DB_PASSWORD   | owner id 'a:b'",
            "workspace:7:db-password     | invalid secret name 'db-password'",
            "user:7:__hidden             | must not start with '__'",
            "user:7:                     | a name is required",
    })
    void shouldRejectAMalformedKeyNamingTheKeyAndTheProblem(String key, String expectedProblem) {
        assertThatThrownBy(() -> SecretKey.parse(key))
                .isInstanceOf(MalformedSecretKeyException.class)
                .hasMessageContaining(key.contains(":") ? key.substring(0, key.indexOf(':')) : key)
                .hasMessageContaining(expectedProblem);
    }

    @Test
    void shouldRejectAnOwnerIdWithWhitespaceOrAnOverlongOne() {
        assertThatThrownBy(() -> SecretKey.workspace("a b", "X1")).isInstanceOf(MalformedSecretKeyException.class)
                .hasMessageContaining("whitespace");
        assertThatThrownBy(() -> SecretKey.user("u".repeat(129), "X1")).isInstanceOf(MalformedSecretKeyException.class)
                .hasMessageContaining("128");
    }

    @Test
    void shouldRejectANullKeyAndTheUnknownScope() {
        assertThatThrownBy(() -> SecretKey.parse(null)).isInstanceOf(MalformedSecretKeyException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> new SecretKey(SecretScope.UNKNOWN, "7", "X1"))
                .isInstanceOf(MalformedSecretKeyException.class).hasMessageContaining("UNKNOWN");
    }
}
