package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SecretSetResolverTest {

    private final InMemorySecretSource source = new InMemorySecretSource()
            .workspace("ws-1", "DB_PASSWORD", "ws-db")
            .workspace("ws-1", "API_TOKEN", "ws-token")
            .workspace("ws-2", "OTHER_WS", "other")
            .user("alice", "API_TOKEN", "alice-token")
            .user("alice", "PERSONAL", "alice-personal")
            .user("bob", "BOB_ONLY", "bob");

    @Test
    void shouldMergeWorkspaceAndUserSecretsWithTheUserWinningOnAClash() {
        Map<String, String> set = valuesOf(SecretSetResolver.resolve("ws-1", "alice", null, source));

        assertThat(set).containsExactlyInAnyOrderEntriesOf(Map.of(
                "DB_PASSWORD", "ws-db", "API_TOKEN", "alice-token", "PERSONAL", "alice-personal"));
    }

    @Test
    void shouldReturnTheSetSortedByName() {
        Resolution.Resolved resolved = (Resolution.Resolved) SecretSetResolver.resolve("ws-1", "alice", null, source);

        assertThat(resolved.secrets()).extracting(Secret::name).containsExactly("API_TOKEN", "DB_PASSWORD", "PERSONAL");
    }

    @Test
    void shouldProvideOnlyTheSelectedSecrets() {
        Selection selection = new Selection(List.of("DB_PASSWORD"), List.of("PERSONAL"));

        assertThat(valuesOf(SecretSetResolver.resolve("ws-1", "alice", selection, source)))
                .containsOnlyKeys("DB_PASSWORD", "PERSONAL");
    }

    @Test
    void shouldLetASelectedUserSecretWinOverASelectedWorkspaceSecretOfTheSameName() {
        Selection selection = new Selection(List.of("API_TOKEN"), List.of("API_TOKEN"));

        assertThat(valuesOf(SecretSetResolver.resolve("ws-1", "alice", selection, source)))
                .containsExactlyEntriesOf(Map.of("API_TOKEN", "alice-token"));
    }

    @Test
    void shouldKeepTheWorkspaceSecretWhenOnlyItWasSelected() {
        Selection selection = new Selection(List.of("API_TOKEN"), List.of());

        assertThat(valuesOf(SecretSetResolver.resolve("ws-1", "alice", selection, source)))
                .containsExactlyEntriesOf(Map.of("API_TOKEN", "ws-token"));
    }

    @Test
    void shouldFailWithTheMissingNamesWhenASelectedSecretDoesNotExist() {
        Selection selection = new Selection(List.of("DB_PASSWORD", "NOPE"), List.of("BOB_ONLY"));

        Resolution resolution = SecretSetResolver.resolve("ws-1", "alice", selection, source);

        assertThat(resolution).isInstanceOfSatisfying(Resolution.Unresolvable.class, u -> {
            assertThat(u.code()).isEqualTo(SecretSetResolver.SECRET_NOT_FOUND);
            assertThat(u.reason()).contains("workspace:NOPE").contains("user:BOB_ONLY");
        });
    }

    @Test
    void shouldRejectAnInvalidSelectedName() {
        Resolution resolution = SecretSetResolver.resolve("ws-1", "alice", new Selection(List.of("bad-name"), null), source);

        assertThat(resolution).isInstanceOfSatisfying(Resolution.Unresolvable.class,
                u -> assertThat(u.code()).isEqualTo(SecretSetResolver.INVALID_SELECTION));
    }

    @Test
    void shouldResolveAnEmptySetForOwnersWithoutSecrets() {
        assertThat(valuesOf(SecretSetResolver.resolve("ws-empty", "nobody", null, source))).isEmpty();
    }

    @Test
    void shouldIgnoreSecretsASourceReturnsForAnotherOwner() {
        SecretSource leaky = (scope, owner) -> List.of(
                new Secret(scope, owner, "MINE", 1, SecretValue.of("mine")),
                new Secret(scope, owner + "-other", "THEIRS", 1, SecretValue.of("theirs")),
                new Secret(scope == Scope.USER ? Scope.WORKSPACE : Scope.USER, owner, "WRONG_SCOPE", 1, SecretValue.of("x")));

        assertThat(valuesOf(SecretSetResolver.resolve("ws-1", "alice", null, leaky))).containsOnlyKeys("MINE");
    }

    static Map<String, String> valuesOf(Resolution resolution) {
        assertThat(resolution).isInstanceOf(Resolution.Resolved.class);
        return ((Resolution.Resolved) resolution).secrets().stream()
                .collect(Collectors.toMap(Secret::name, s -> s.value().reveal()));
    }
}
