package io.pipelinesecrets.lifecycle.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders {@code docs/configuration.md} from {@link ServiceKeys}, so the reference lists exactly what the service
 * reads. {@code ConfigurationReferenceTest} fails when the committed page differs from {@link #markdown()}.
 *
 * <p>Run {@link #main} with the page's path to rewrite it (see {@link #REGENERATE}).
 */
public final class ConfigurationReference {

    /** The path of the page, from the repository's root. */
    public static final String PAGE = "docs/configuration.md";
    /** The command that rewrites the page, from the repository's root. */
    public static final String REGENERATE = "mvn -B -o -q -pl services/secrets-lifecycle -am test"
            + " -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.tests=NONE"
            + " -Dconfiguration.reference.write=true";

    private ConfigurationReference() {
    }

    /** Writes the page to the path given (default {@value #PAGE}, relative to the working directory). */
    public static void main(String[] args) throws IOException {
        Path page = Path.of(args.length > 0 ? args[0] : PAGE);
        Files.writeString(page, markdown(), StandardCharsets.UTF_8);
    }

    public static String markdown() {
        StringBuilder page = new StringBuilder();
        page.append("""
                # Configuration reference

                <!-- Generated from ServiceKeys by ConfigurationReference; do not edit by hand. -->

                Settings come from the `--config` properties file and from environment variables. Precedence, highest
                first: environment variables, the file, the defaults below.

                - Every key `a.b-c` is also the environment variable `PIPELINE_SECRETS_A_B_C` (upper-cased, dots and
                  dashes become underscores), e.g. `lifecycle.stale-launch-age` is
                  `PIPELINE_SECRETS_LIFECYCLE_STALE_LAUNCH_AGE`.
                - Any Kafka client or Streams setting passes through as `kafka.<setting>` in the file and
                  `PIPELINE_SECRETS_KAFKA_<SETTING>` in the environment, e.g. `PIPELINE_SECRETS_KAFKA_SASL_MECHANISM`.
                - Per-compute-environment keys keep the id as written (ids are case-sensitive):
                  `aws.compute-env.<id>.bundle` is `PIPELINE_SECRETS_AWS_COMPUTE_ENV_<id>_BUNDLE`. An id with
                  characters a variable name cannot carry goes in the file.
                - Values are trimmed. A key without a default is off when unset or empty. Durations are ISO-8601
                  (`PT30S`, `P1D`) or a whole number with a unit: `500ms`, `10s`, `5m`, `24h`, `7d`. Lists are
                  comma-separated; blank entries are dropped.
                - Secrets (marked *secret*) are never quoted in a problem; `admin.token` is refused in the file,
                  which is a ConfigMap or a file in git.
                - Unknown keys and `PIPELINE_SECRETS_*` variables, and invalid values, stop start-up with one line per
                  problem naming the key and the fix; every problem is reported at once.

                This page is generated from the key declarations (`ServiceKeys` in
                `services/secrets-lifecycle/src/main/java/io/pipelinesecrets/lifecycle/config/`). After changing a key,
                regenerate it from the repository's root:

                ```sh
                """);
        page.append(REGENERATE).append("\n```\n");
        for (ServiceKeys.Group group : ServiceKeys.GROUPS) {
            page.append("\n## ").append(group.title()).append("\n\n").append(group.introduction()).append("\n\n");
            page.append("| key | type | default | description |\n|---|---|---|---|\n");
            for (Key<?> key : group.keys()) {
                page.append(row(key.name(), key.typeSummary() + flags(key), key.defaultText(), key.description()));
            }
        }
        page.append("""

                ## Per compute environment

                Each key names one compute environment by the id launch events carry, and overrides or narrows the
                global setting for it. A binding only narrows the global allow-list: every region, role or root it
                names must also be allowed globally.

                | key | environment variable | type | description |
                |---|---|---|---|
                """);
        for (PerComputeEnv<?> setting : ServiceKeys.PER_COMPUTE_ENV) {
            page.append("| `").append(setting.pattern()).append("` | `").append(setting.environmentPattern())
                    .append("` | ").append(cell(setting.typeSummary())).append(" | ")
                    .append(cell(setting.description())).append(" |\n");
        }
        return page.toString();
    }

    private static String flags(Key<?> key) {
        StringBuilder flags = new StringBuilder();
        if (key.isRequired()) {
            flags.append(", required");
        }
        if (key.secret()) {
            flags.append(", *secret*");
        }
        if (key.isEnvironmentOnly()) {
            flags.append(", environment only");
        }
        return flags.toString();
    }

    private static String row(String name, String type, String defaultText, String description) {
        return "| `" + name + "` | " + cell(type) + " | " + (defaultText.isEmpty() ? "" : "`" + cell(defaultText) + "`")
                + " | " + cell(description) + " |\n";
    }

    /** A table cell: a pipe would end it. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
