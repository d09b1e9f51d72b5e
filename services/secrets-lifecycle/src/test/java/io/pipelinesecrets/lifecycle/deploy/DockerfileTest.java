package io.pipelinesecrets.lifecycle.deploy;

import io.pipelinesecrets.lifecycle.cli.PipelineSecretsCli;
import io.pipelinesecrets.lifecycle.config.ConfigLoader;
import io.pipelinesecrets.lifecycle.config.ServiceKeys;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service image's Dockerfile, read instruction by instruction (no Docker engine here): what it builds, runs
 * and exposes must match the jar, the CLI and the configuration defaults.
 */
class DockerfileTest {

    private static final String JAR = "/app/secrets-lifecycle.jar";

    private final List<String[]> instructions = instructions(DeployFiles.read("services/secrets-lifecycle/Dockerfile"));
    private final Map<String, String> args = argDefaults();

    @Test
    void shouldBuildWithATemurin17JdkAndRunOnTheTemurin17Jre() {
        List<String> stages = all("FROM").stream().map(from -> resolve(from.split("\\s+")[0])).toList();

        assertThat(stages).hasSize(2);
        assertThat(stages.get(0)).as("build stage").containsPattern("eclipse-temurin[-:]17").doesNotContain("jre");
        assertThat(stages.get(1)).as("runtime stage").isEqualTo("eclipse-temurin:17-jre");
    }

    @Test
    void shouldPackageTheShadedJarOfTheServiceModule() {
        String build = String.join("\n", all("RUN"));

        assertThat(build).contains("-pl services/secrets-lifecycle").contains("-am").contains("package")
                .contains("services/secrets-lifecycle/target/secrets-lifecycle.jar");
        assertThat(DeployFiles.read("services/secrets-lifecycle/pom.xml")).contains("<finalName>secrets-lifecycle</finalName>");
        assertThat(all("COPY")).anyMatch(copy -> copy.startsWith("--from=build") && copy.endsWith(" " + JAR));
    }

    @Test
    void shouldRunTheCliAsANumericNonRootUserWithRunAsDefaultCommand() {
        String user = resolve(one("USER"));

        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
        assertThat(one("ENTRYPOINT")).isEqualTo("[\"java\", \"-jar\", \"" + JAR + "\"]");
        assertThat(one("CMD")).isEqualTo("[\"run\"]");
        assertThat(PipelineSecretsCli.commandLine().getSubcommands()).containsKey("run");
    }

    @Test
    void shouldExposeTheAdminPortAndDeclareTheStateDirectory() {
        String adminPort = ServiceKeys.ADMIN_PORT.defaultText();
        String stateDir = ServiceKeys.STATE_DIR.defaultText();

        assertThat(one("EXPOSE")).isEqualTo(adminPort);
        assertThat(one("VOLUME")).contains("\"" + stateDir + "\"");
        assertThat(String.join("\n", all("RUN"))).as("the state directory exists, owned by the service user")
                .contains("mkdir -p " + stateDir).containsPattern("chown \\$\\{UID}:\\$\\{UID} " + Pattern.quote(stateDir));
        assertThat(one("HEALTHCHECK")).contains("/health/live")
                .contains("${" + ConfigLoader.environmentName("admin.port") + ":-" + adminPort + "}");
    }

    @Test
    void shouldSendTheBuildTheSourcesButNoBuildOutput() {
        List<String> ignored = DeployFiles.read(".dockerignore").lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();

        assertThat(ignored).contains("**/target/");
        assertThat(ignored).doesNotContain("*", "**", "pom.xml", "schemas", "schemas/", "services", "services/");
    }

    // ---- a Dockerfile reader: instructions with continuation lines joined and comments dropped

    private static List<String[]> instructions(String dockerfile) {
        List<String[]> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.lines().toList()) {
            String stripped = line.strip();
            if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = stripped.endsWith("\\");
            current.append(continues ? stripped.substring(0, stripped.length() - 1) : stripped).append(' ');
            if (!continues) {
                String text = current.toString().strip();
                int space = text.indexOf(' ');
                result.add(new String[] {text.substring(0, space), text.substring(space + 1).strip()});
                current.setLength(0);
            }
        }
        return result;
    }

    private List<String> all(String instruction) {
        return instructions.stream().filter(i -> i[0].equals(instruction)).map(i -> i[1].replaceAll("\\s+", " ")).toList();
    }

    private String one(String instruction) {
        List<String> found = all(instruction);
        assertThat(found).as("one %s", instruction).hasSize(1);
        return found.get(0);
    }

    private Map<String, String> argDefaults() {
        Map<String, String> defaults = new HashMap<>();
        instructions.stream().filter(i -> i[0].equals("ARG") && i[1].contains("="))
                .forEach(i -> defaults.put(i[1].substring(0, i[1].indexOf('=')), i[1].substring(i[1].indexOf('=') + 1)));
        return defaults;
    }

    /** Replaces ${ARG} by the ARG's default. */
    private String resolve(String text) {
        Matcher matcher = Pattern.compile("\\$\\{(\\w+)}").matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            assertThat(args).as("ARG %s has a default", matcher.group(1)).containsKey(matcher.group(1));
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(args.get(matcher.group(1))));
        }
        return matcher.appendTail(resolved).toString();
    }
}
