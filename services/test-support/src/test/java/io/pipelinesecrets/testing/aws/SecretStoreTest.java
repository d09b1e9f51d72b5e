package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.time.HandClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's time-driven rules, with the clock advanced by hand instead of waited for. */
class SecretStoreTest {

    private static final String TOKEN = "00000000-0000-5000-8000-000000000001";

    private final HandClock clock = new HandClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final SecretStore store = new SecretStore(DoubleSettings.defaults()
            .withForceDeleteDelay(Duration.ofSeconds(10)).withListSecretsLag(Duration.ofMinutes(5)), clock);

    @Test
    void shouldPurgeASecretWhenItsRecoveryWindowEnds() {
        create("windowed");
        store.delete("windowed", false, 7);

        clock.advance(Duration.ofDays(7).minusSeconds(1));
        assertThat(store.byName("windowed")).hasValueSatisfying(s -> assertThat(s.scheduledForDeletion()).isTrue());

        clock.advance(Duration.ofSeconds(1));
        assertThat(store.byName("windowed")).isEmpty();
        create("windowed");
    }

    @Test
    void shouldKeepAForceDeletedNameBlockedUntilTheDelayHasPassed() {
        create("forced");
        store.delete("forced", true, 30);

        clock.advance(Duration.ofSeconds(9));
        assertThatThrownBy(() -> create("forced")).isInstanceOfSatisfying(ServiceError.class,
                e -> assertThat(e.code()).isEqualTo("InvalidRequestException"));

        clock.advance(Duration.ofSeconds(1));
        assertThat(create("forced").replay()).isFalse();
    }

    @Test
    void shouldListANewSecretOnlyAfterTheLag() {
        create("lagging");

        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(store.listable(false)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(store.listable(false)).extracting(SecretSnapshot::name).containsExactly("lagging");
    }

    @Test
    void shouldKeepOnlyCurrentAndPreviousLabelsAcrossPuts() {
        create("rotated");
        store.put("rotated", "00000000-0000-5000-8000-000000000002", SecretValue.ofString("two"), List.of());
        store.put("rotated", "00000000-0000-5000-8000-000000000003", SecretValue.ofString("three"), List.of());

        assertThat(store.describe("rotated").versionIdsToStages()).isEqualTo(Map.of(
                "00000000-0000-5000-8000-000000000002", List.of("AWSPREVIOUS"),
                "00000000-0000-5000-8000-000000000003", List.of("AWSCURRENT")));
    }

    private SecretStore.Created create(String name) {
        return store.create(new SecretStore.NewSecret(name, TOKEN, SecretValue.ofString("v"), null, null, Map.of()));
    }

}
