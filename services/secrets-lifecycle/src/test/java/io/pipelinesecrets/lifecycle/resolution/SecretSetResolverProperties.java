package io.pipelinesecrets.lifecycle.resolution;

import io.pipelinesecrets.lifecycle.secrets.Scope;
import io.pipelinesecrets.lifecycle.secrets.Secret;
import io.pipelinesecrets.lifecycle.secrets.SecretValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Isolation and precedence hold for any population of secrets, owners and selections. */
class SecretSetResolverProperties {

    private static final List<String> WORKSPACES = List.of("ws-1", "ws-2", "ws-3");
    private static final List<String> USERS = List.of("alice", "bob", "carol");
    private static final List<String> NAMES = List.of("A1", "B2", "C3", "D4", "E5", "F6");

    @Property(tries = 500)
    void aRunNeverReceivesASecretOfAnotherWorkspaceOrAnotherUser(
            @ForAll("populations") List<Secret> population, @ForAll("owners") Owner run) {
        Resolution resolution = SecretSetResolver.resolve(run.workspace(), run.user(), null, sourceOf(population));

        assertThat(((Resolution.Resolved) resolution).secrets()).allSatisfy(secret -> assertThat(
                (secret.scope() == Scope.WORKSPACE && secret.ownerId().equals(run.workspace()))
                        || (secret.scope() == Scope.USER && secret.ownerId().equals(run.user()))).isTrue());
    }

    @Property(tries = 500)
    void theUserSecretAlwaysWinsAndEveryOwnNameIsPresent(
            @ForAll("populations") List<Secret> population, @ForAll("owners") Owner run) {
        Resolution resolution = SecretSetResolver.resolve(run.workspace(), run.user(), null, sourceOf(population));
        Map<String, Secret> set = ((Resolution.Resolved) resolution).secrets().stream()
                .collect(Collectors.toMap(Secret::name, s -> s));

        Set<String> userNames = namesOf(population, Scope.USER, run.user());
        Set<String> workspaceNames = namesOf(population, Scope.WORKSPACE, run.workspace());
        assertThat(set.keySet()).containsExactlyInAnyOrderElementsOf(union(userNames, workspaceNames));
        userNames.forEach(name -> assertThat(set.get(name).scope()).isEqualTo(Scope.USER));
    }

    @Property(tries = 500)
    void aSelectionYieldsExactlyTheSelectedNamesOrFailsNamingTheMissingOnes(
            @ForAll("populations") List<Secret> population, @ForAll("owners") Owner run,
            @ForAll("selections") Selection selection) {
        Resolution resolution = SecretSetResolver.resolve(run.workspace(), run.user(), selection, sourceOf(population));

        Set<String> userNames = namesOf(population, Scope.USER, run.user());
        Set<String> workspaceNames = namesOf(population, Scope.WORKSPACE, run.workspace());
        boolean allExist = workspaceNames.containsAll(selection.workspaceSecrets())
                && userNames.containsAll(selection.userSecrets());
        if (allExist) {
            Map<String, Secret> set = ((Resolution.Resolved) resolution).secrets().stream()
                    .collect(Collectors.toMap(Secret::name, s -> s));
            assertThat(set.keySet()).containsExactlyInAnyOrderElementsOf(
                    union(Set.copyOf(selection.workspaceSecrets()), Set.copyOf(selection.userSecrets())));
            selection.userSecrets().forEach(name -> assertThat(set.get(name).scope()).isEqualTo(Scope.USER));
        } else {
            assertThat(resolution).isInstanceOf(Resolution.Unresolvable.class);
        }
    }

    @Provide
    Arbitrary<List<Secret>> populations() {
        Arbitrary<Secret> secret = Combinators.combine(
                Arbitraries.of(Scope.values()), Arbitraries.of(NAMES), Arbitraries.integers().between(0, 2),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8)
        ).as((scope, name, owner, value) -> new Secret(scope,
                scope == Scope.USER ? USERS.get(owner) : WORKSPACES.get(owner), name, 1, SecretValue.of(value)));
        return secret.list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<Owner> owners() {
        return Combinators.combine(Arbitraries.of(WORKSPACES), Arbitraries.of(USERS)).as(Owner::new);
    }

    @Provide
    Arbitrary<Selection> selections() {
        Arbitrary<List<String>> names = Arbitraries.of(NAMES).set().ofMaxSize(3).map(List::copyOf);
        return Combinators.combine(names, names).as(Selection::new);
    }

    record Owner(String workspace, String user) {
    }

    private static SecretSource sourceOf(List<Secret> population) {
        InMemorySecretSource source = new InMemorySecretSource();
        population.forEach(source::put);
        return source;
    }

    private static Set<String> namesOf(List<Secret> population, Scope scope, String owner) {
        InMemorySecretSource source = (InMemorySecretSource) sourceOf(population);
        return source.secretsOf(scope, owner).stream().map(Secret::name).collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        return union;
    }
}
