package dev.udpecho.dist;

import dev.udpecho.metrics.MetricsEndpoint;
import dev.udpecho.server.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile's structure, as far as it can be checked without a Docker engine: two stages, a JRE at the end,
 * a user that is not root, the ports, and a health check whose client options exist.
 */
class DockerfileTest {
    private static final Pattern JSON_ARG = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Instruction and arguments, continuation lines joined, comments left out. */
    private static final List<String[]> INSTRUCTIONS = new ArrayList<>();

    @BeforeAll
    static void parse() throws IOException {
        StringBuilder logical = new StringBuilder();
        for (String line : Repository.read("Dockerfile").split("\n")) {
            if (line.trim().startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String text = logical.toString().trim();
            logical.setLength(0);
            if (!text.isEmpty()) {
                INSTRUCTIONS.add(text.split("\\s+", 2));
            }
        }
    }

    private static List<String> all(String instruction) {
        List<String> found = new ArrayList<>();
        for (String[] i : INSTRUCTIONS) {
            if (i[0].equals(instruction)) {
                found.add(i.length > 1 ? i[1].trim() : "");
            }
        }
        return found;
    }

    /** @return the instructions of the last stage. */
    private static List<String[]> finalStage() {
        int last = 0;
        for (int i = 0; i < INSTRUCTIONS.size(); i++) {
            if (INSTRUCTIONS.get(i)[0].equals("FROM")) {
                last = i;
            }
        }
        return INSTRUCTIONS.subList(last, INSTRUCTIONS.size());
    }

    private static List<String> jsonArray(String text) {
        assertThat(text).as("exec form").startsWith("[").endsWith("]");
        List<String> args = new ArrayList<>();
        Matcher m = JSON_ARG.matcher(text);
        while (m.find()) {
            args.add(m.group(1));
        }
        return args;
    }

    @Test
    void aMavenBuildStageThenASmallJreRuntime() {
        List<String> from = all("FROM");
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).matches("maven:3-eclipse-temurin-17 AS build");
        assertThat(from.get(1)).startsWith("eclipse-temurin:17-jre");
        assertThat(all("RUN")).anySatisfy(run -> assertThat(run).contains("mvn -B", "-DskipTests", "package"));
        assertThat(finalStage()).anySatisfy(i -> assertThat(String.join(" ", i)).startsWith("COPY --from=build "));
    }

    @Test
    void runsAsAUserThatIsNotRoot() {
        List<String> users = new ArrayList<>();
        for (String[] i : finalStage()) {
            if (i[0].equals("USER")) {
                users.add(i[1].trim());
            }
        }
        assertThat(users).hasSize(1);
        String user = users.get(0).split(":")[0];
        assertThat(user).isNotIn("root", "0").matches("\\d+");
        assertThat(all("RUN")).anySatisfy(run -> assertThat(run).contains("useradd", "--uid " + user));
    }

    @Test
    void exposesTheEchoPortOverUdpAndTheMetricsPort() {
        List<String> exposed = new ArrayList<>();
        for (String e : all("EXPOSE")) {
            exposed.addAll(Arrays.asList(e.split("\\s+")));
        }
        assertThat(exposed).containsExactlyInAnyOrder(ServerConfig.DEFAULT_PORT + "/udp",
                MetricsEndpoint.DEFAULT_PORT + "/tcp");
        assertThat(environment()).containsEntry("UDPECHO_METRICS", ":" + MetricsEndpoint.DEFAULT_PORT);
    }

    @Test
    void theEnvironmentNamesRealOptionsWithValidValues() {
        assertThat(Repository.serverHelpWith(environment())).contains("--log-format=text|json", "(default: json)");
    }

    @Test
    void theHealthCheckRunsTheClientWithOptionsThatExist() {
        List<String> check = all("HEALTHCHECK");
        assertThat(check).hasSize(1);
        String[] parts = check.get(0).split(" CMD ", 2);
        assertThat(parts[0]).contains("--interval=", "--timeout=");
        List<String> command = jsonArray(parts[1].trim());
        assertThat(command.get(0)).isEqualTo(entrypoint().get(0));
        assertThat(command.subList(1, 3)).containsExactly("client", "--host");
        assertThat(command).contains("--message", "--timeout", "--retries");
        // Parsed by the real command: an unknown option or a bad value would be exit status 2.
        List<String> args = new ArrayList<>(command.subList(1, command.size()));
        args.add("--help");
        StringBuilder output = new StringBuilder();
        assertThat(Repository.udpecho(args, Map.of(), output)).as(output.toString()).isZero();
    }

    @Test
    void theEntrypointIsTheDistributionsLauncherAndStartsTheServer() {
        assertThat(entrypoint()).containsExactly("/opt/udpecho/bin/udpecho");
        assertThat(jsonArray(all("CMD").get(all("CMD").size() - 1))).containsExactly("server");
        assertThat(all("RUN")).anySatisfy(run -> assertThat(run).contains("-C /opt/udpecho --strip-components=1"));
    }

    private static List<String> entrypoint() {
        return jsonArray(all("ENTRYPOINT").get(0));
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : all("ENV")) {
            for (String pair : e.split("\\s+")) {
                String[] kv = pair.split("=", 2);
                env.put(kv[0], kv[1]);
            }
        }
        return env;
    }
}
