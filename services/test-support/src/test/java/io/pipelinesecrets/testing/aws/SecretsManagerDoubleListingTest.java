package io.pipelinesecrets.testing.aws;

import io.pipelinesecrets.testing.await.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.APIErrorType;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretValueEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** ListSecrets (filters, pagination, planned deletion, listing lag) and BatchGetSecretValue. */
@Timeout(60)
class SecretsManagerDoubleListingTest {

    private SecretsManagerDouble sm;
    private SecretsManagerClient client;

    @BeforeEach
    void start() {
        sm = SecretsManagerDouble.start();
        client = AwsClients.withoutRetries(sm);
    }

    @AfterEach
    void stop() {
        client.close();
        sm.close();
    }

    @Test
    void shouldFilterByTagKeyTagValueNamePrefixDescriptionAndNegation() {
        create("app/alpha", null, tag("team", "red"), tag("env", "prod"));
        create("app/beta", null, tag("team", "blue"));
        create("db/gamma", "Database password", tag("env", "dev"));

        assertThat(list(filter(FilterNameStringType.TAG_KEY, "env"))).containsExactly("app/alpha", "db/gamma");
        assertThat(list(filter(FilterNameStringType.TAG_VALUE, "pro"))).containsExactly("app/alpha");
        assertThat(list(filter(FilterNameStringType.TAG_VALUE, "Red"))).isEmpty();
        assertThat(list(filter(FilterNameStringType.NAME, "app/"))).containsExactly("app/alpha", "app/beta");
        assertThat(list(filter(FilterNameStringType.NAME, "!app/"))).containsExactly("db/gamma");
        assertThat(list(filter(FilterNameStringType.TAG_KEY, "!env"))).containsExactly("app/beta");
        assertThat(list(filter(FilterNameStringType.DESCRIPTION, "data"))).containsExactly("db/gamma");
        assertThat(list(filter(FilterNameStringType.ALL, "BLUE"))).containsExactly("app/beta");
        assertThat(list(filter(FilterNameStringType.NAME, "app/beta", "db/"))).containsExactly("app/beta", "db/gamma");
        assertThat(list(filter(FilterNameStringType.NAME, "app/"), filter(FilterNameStringType.TAG_KEY, "env")))
                .containsExactly("app/alpha");
    }

    @Test
    void shouldCarryTagsAndVersionStagesInListEntries() {
        String version = client.createSecret(b -> b.name("entry").secretString("v").description("d")
                .tags(tag("run-id", "r1"))).versionId();

        SecretListEntry entry = client.listSecrets(b -> { }).secretList().get(0);

        assertThat(entry.tags()).extracting(Tag::key, Tag::value).containsExactly(tuple("run-id", "r1"));
        assertThat(entry.secretVersionsToStages()).containsEntry(version, List.of("AWSCURRENT"));
        assertThat(entry.description()).isEqualTo("d");
        assertThat(entry.createdDate()).isNotNull();
    }

    @Test
    void shouldPageThroughFiveSecretsTwoAtATimeInNameOrder() {
        List.of("s4", "s1", "s5", "s3", "s2").forEach(name -> create(name, null));

        List<List<String>> pages = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListSecretsResponse page = client.listSecrets(b -> b.maxResults(2).nextToken(next));
            pages.add(page.secretList().stream().map(SecretListEntry::name).toList());
            token = page.nextToken();
        } while (token != null);

        assertThat(pages).containsExactly(List.of("s1", "s2"), List.of("s3", "s4"), List.of("s5"));
        assertThat(client.listSecretsPaginator(b -> b.maxResults(2)).stream()
                .flatMap(page -> page.secretList().stream())
                .map(SecretListEntry::name)).containsExactly("s1", "s2", "s3", "s4", "s5");
    }

    @Test
    void shouldRejectMaxResultsOutsideOneToHundredAndAForeignNextToken() {
        assertThatThrownBy(() -> client.listSecrets(b -> b.maxResults(101)))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        assertThatThrownBy(() -> client.listSecrets(b -> b.nextToken("not-a-token")))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("InvalidNextTokenException"));
    }

    @Test
    void shouldRejectMoreThanTenFiltersAndUnknownKeys() {
        List<Filter> eleven = IntStream.range(0, 11).mapToObj(i -> filter(FilterNameStringType.NAME, "x")).toList();

        assertThatThrownBy(() -> client.listSecrets(b -> b.filters(eleven)))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        Filter unknownKey = Filter.builder().key("colour").values("red").build();
        assertThatThrownBy(() -> client.listSecrets(b -> b.filters(unknownKey)))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
    }

    @Test
    void shouldShowNewSecretsInListingsOnlyAfterTheConfiguredLag() {
        try (SecretsManagerDouble lagging = SecretsManagerDouble.start(
                DoubleSettings.defaults().withListSecretsLag(Duration.ofMillis(300)));
             SecretsManagerClient laggingClient = AwsClients.sync(lagging)) {
            laggingClient.createSecret(b -> b.name("late").secretString("v"));

            assertThat(laggingClient.listSecrets(b -> { }).secretList()).isEmpty();
            assertThat(laggingClient.describeSecret(b -> b.secretId("late")).name()).isEqualTo("late");
            Await.atMost(Duration.ofSeconds(5)).every(Duration.ofMillis(25)).until("'late' to appear in ListSecrets",
                    () -> laggingClient.listSecrets(b -> { }).secretList(), list -> list.size() == 1);
        }
    }

    @Test
    void shouldBatchGetValuesAndReportMissingAndScheduledSecretsAsErrors() {
        create("b1", null);
        create("b2", null);
        create("b3", null);
        client.deleteSecret(b -> b.secretId("b3").recoveryWindowInDays(7L));
        String b2Arn = client.describeSecret(b -> b.secretId("b2")).arn();

        BatchGetSecretValueResponse batch = client.batchGetSecretValue(b -> b.secretIdList("b1", b2Arn, "nope", "b3"));

        assertThat(batch.sdkHttpResponse().statusCode()).isEqualTo(200);
        assertThat(batch.secretValues()).extracting(SecretValueEntry::name, SecretValueEntry::secretString)
                .containsExactly(tuple("b1", "value of b1"), tuple("b2", "value of b2"));
        assertThat(batch.errors()).extracting(APIErrorType::secretId, APIErrorType::errorCode)
                .containsExactly(tuple("nope", "ResourceNotFoundException"), tuple("b3", "InvalidRequestException"));
    }

    @Test
    void shouldBatchGetByFilters() {
        create("run1/A", null, tag("run-id", "run1"));
        create("run1/B", null, tag("run-id", "run1"));
        create("run2/A", null, tag("run-id", "run2"));

        BatchGetSecretValueResponse batch = client.batchGetSecretValue(b -> b
                .filters(filter(FilterNameStringType.TAG_VALUE, "run1")));

        assertThat(batch.secretValues()).extracting(SecretValueEntry::name).containsExactly("run1/A", "run1/B");
        assertThat(batch.errors()).isEmpty();
    }

    @Test
    void shouldRefuseABatchOfMoreThanTwentyIdsOrOfBothIdsAndFilters() {
        List<String> ids = IntStream.range(0, 21).mapToObj(i -> "id" + i).toList();

        assertThatThrownBy(() -> client.batchGetSecretValue(b -> b.secretIdList(ids)))
                .satisfies(e -> assertThat(AwsClients.errorCode(e)).isEqualTo("ValidationException"));
        assertThatThrownBy(() -> client.batchGetSecretValue(b -> b.secretIdList("a")
                .filters(filter(FilterNameStringType.NAME, "a"))))
                .isInstanceOf(InvalidParameterException.class);
    }

    private void create(String name, String description, Tag... tags) {
        client.createSecret(b -> b.name(name).secretString("value of " + name).description(description).tags(tags));
    }

    private List<String> list(Filter... filters) {
        return client.listSecretsPaginator(b -> b.filters(filters)).stream()
                .flatMap(page -> page.secretList().stream())
                .map(SecretListEntry::name).toList();
    }

    private static Filter filter(FilterNameStringType key, String... values) {
        return Filter.builder().key(key).values(values).build();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
