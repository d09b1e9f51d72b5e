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
    void shouldRefuseASetLargerThanTheCapWithoutReadingMoreThanTheCapOfAnyOwner() {
        java.util.concurrent.atomic.AtomicInteger largestAsked = new java.util.concurrent.atomic.AtomicInteger();
        SecretSource huge = new SecretSource() {
            @Override
            public List<Secret> secretsOf(Scope scope, String ownerId) {
                throw new AssertionError("the whole owner must not be read");
            }

            @Override
            public List<Secret> secretsOf(Scope scope, String ownerId, int limit) {
                largestAsked.accumulateAndGet(limit, Math::max);
                return java.util.stream.IntStream.rangeClosed(0, limit).mapToObj(i ->
                        new Secret(scope, ownerId, "S" + i, 1, SecretValue.of("v"))).toList();
            }
        };

        Resolution resolution = SecretSetResolver.resolve("ws-1", "alice", null, huge, 3);

        assertThat(resolution).isInstanceOfSatisfying(Resolution.Unresolvable.class, refused -> {
            assertThat(refused.code()).isEqualTo(SecretSetResolver.TOO_MANY_SECRETS);
            assertThat(refused.reason()).contains("3").contains("lifecycle.max-secrets-per-run");
        });
        assertThat(largestAsked).hasValue(3);
    }

    @Test
    void shouldRefuseAMergedSetOverTheCapEvenWhenEachOwnerIsWithinIt() {
        Resolution resolution = SecretSetResolver.resolve("ws-1", "alice", null, source, 2);

        assertThat(resolution).isInstanceOfSatisfying(Resolution.Unresolvable.class,
                refused -> assertThat(refused.code()).isEqualTo(SecretSetResolver.TOO_MANY_SECRETS));
        assertThat(SecretSetResolver.resolve("ws-1", "alice", null, source, 3)).isInstanceOf(Resolution.Resolved.class);
    }

    @Test
    void shouldLookUpOnlyTheSelectedNames() {
        SecretSource pointLookups = new SecretSource() {
            @Override
            public List<Secret> secretsOf(Scope scope, String ownerId) {
                throw new AssertionError("a selection must not scan the owner");
            }

            @Override
            public java.util.Optional<Secret> secret(Scope scope, String ownerId, String name) {
                return source.secret(scope, ownerId, name);
            }
        };

        Map<String, String> set = valuesOf(SecretSetResolver.resolve("ws-1", "alice",
                new Selection(List.of("DB_PASSWORD"), List.of("API_TOKEN")), pointLookups));

        assertThat(set).containsExactlyInAnyOrderEntriesOf(Map.of("DB_PASSWORD", "ws-db", "API_TOKEN", "alice-token"));
    }

    @Test
    void shouldListAtMostTwentyMissingNamesAndCountTheRest() {
        List<String> many = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "MISSING_" + i).toList();

        Resolution resolution = SecretSetResolver.resolve("ws-1", "alice", new Selection(many, List.of()), source);

        assertThat(resolution).isInstanceOfSatisfying(Resolution.Unresolvable.class, refused -> {
            assertThat(refused.code()).isEqualTo(SecretSetResolver.SECRET_NOT_FOUND);
            assertThat(refused.reason()).contains("MISSING_19").doesNotContain("MISSING_20]").contains("and 30 more");
        });
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
