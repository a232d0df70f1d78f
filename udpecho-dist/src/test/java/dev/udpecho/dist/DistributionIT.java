package dev.udpecho.dist;

import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** udpecho-VERSION.tar.gz as a user gets it: unpacked, run from bin/udpecho, its man pages and completion. */
@Timeout(120)
class DistributionIT {
    @TempDir
    static Path dir;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        home = Unpacked.unpack(dir);
    }

    private static String java() {
        return System.getProperty("java.home");
    }

    @Test
    void holdsTheLauncherTheLibrariesTheManPagesAndTheCompletion() throws Exception {
        assertThat(home.getFileName().toString()).matches("udpecho-\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(home.resolve("bin/udpecho")).isExecutable();
        try (var jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).toList()).anyMatch(j -> j.startsWith("udpecho-cli-"))
                    .anyMatch(j -> j.startsWith("udpecho-core-")).anyMatch(j -> j.startsWith("udpecho-metrics-"))
                    .anyMatch(j -> j.startsWith("picocli-4")).anyMatch(j -> j.startsWith("netty-transport-4"))
                    .anyMatch(j -> j.startsWith("prometheus-metrics-core-"))
                    // Netty's epoll for both architectures udpecho runs natively on.
                    .anyMatch(j -> j.matches("netty-transport-native-epoll-.*-linux-x86_64\\.jar"))
                    .anyMatch(j -> j.matches("netty-transport-native-epoll-.*-linux-aarch_64\\.jar"))
                    .noneMatch(j -> j.startsWith("picocli-codegen")).allMatch(j -> j.endsWith(".jar"));
        }
        for (String page : List.of("udpecho.1", "udpecho-server.1", "udpecho-client.1", "udpecho-bench.1",
                "udpecho-proxy.1", "udpecho-probe.1")) {
            String text = Files.readString(home.resolve("share/man/man1/" + page));
            assertThat(text).as(page).contains(".TH \"UDPECHO").contains(".SH \"SYNOPSIS\"");
        }
        assertThat(Files.readString(home.resolve("share/man/man1/udpecho-server.1")))
                .contains("\\-\\-metrics", "\\-\\-log\\-format", "\\-\\-config", "UDPECHO_<OPTION>");
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License", "Version 2.0");
        assertThat(Files.readString(home.resolve("NOTICE"))).startsWith("udpecho\n");
        assertThat(home.resolve("docs/DEPLOY.md")).isRegularFile();
        assertThat(home.resolve("deploy/systemd/udpecho.service")).isRegularFile();
    }

    @Test
    void theLauncherRunsOnJavaHomeAndThroughALink() throws Exception {
        Path link = dir.resolve("udpecho-link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, home.resolve("bin/udpecho"));
        for (String launcher : List.of(home.resolve("bin/udpecho").toString(), link.toString())) {
            Unpacked.Result version = Unpacked.run(List.of(launcher, "--version"), Map.of("JAVA_HOME", java()), 60);
            assertThat(version.status()).as(version.output()).isZero();
            assertThat(version.output()).matches("udpecho \\S+ \\(netty \\S+, Java \\S+\\)\n"
                    + "transports: \\w+ \\(default\\)(, \\w+)*\n(\\w+: unavailable \\(.*\\)\n)*");
        }
        Unpacked.Result noJava = Unpacked.run(List.of(home.resolve("bin/udpecho").toString(), "--version"),
                Map.of("JAVA_HOME", dir.resolve("no-such-jdk").toString()), 60);
        assertThat(noJava.status()).isEqualTo(1);
        assertThat(noJava.output()).contains("Java 17 or newer is needed");
    }

    @Test
    void theServerAndTheClientTalk() throws Exception {
        ProcessBuilder pb = Unpacked.builder(List.of(home.resolve("bin/udpecho").toString(), "server", "--port", "0",
                "--bind", "127.0.0.1")).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", java());
        Process server = pb.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8))) {
            Pattern listening = Pattern.compile("Listening on udp://127\\.0\\.0\\.1:(\\d+) \\(\\w+\\)");
            String line;
            Matcher m = null;
            while ((line = lines.readLine()) != null && !(m = listening.matcher(line)).matches()) {
                // Socket created, Socket bind complete
            }
            assertThat(line).as("the listening line").isNotNull();
            Unpacked.Result client = Unpacked.run(List.of(home.resolve("bin/udpecho").toString(), "client",
                    "--port", m.group(1), "--host", "127.0.0.1", "--message", "from the archive"),
                    Map.of("JAVA_HOME", java()), 60);
            assertThat(client.status()).as(client.output()).isZero();
            assertThat(client.output()).isEqualTo("Server reply : OK...from the archive\n");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    @Test
    void bashCompletesTheCommandsAndOptions() throws Exception {
        Tools.require("bash");
        String completion = home.resolve("share/bash-completion/completions/udpecho").toString();
        // As bash calls it on TAB; outside a real completion compopt complains on stderr, which is left out.
        String script = "source '" + completion + "'; "
                + "COMP_LINE='udpecho server --met'; COMP_WORDS=(udpecho server --met); COMP_CWORD=2; "
                + "_complete_udpecho 2>/dev/null; echo \"${COMPREPLY[@]}\"; "
                + "COMP_LINE='udpecho s'; COMP_WORDS=(udpecho s); COMP_CWORD=1; "
                + "_complete_udpecho 2>/dev/null; echo \"${COMPREPLY[@]}\"";
        Unpacked.Result result = Unpacked.run(List.of("bash", "-c", script), Map.of(), 30);
        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output()).isEqualTo("--metrics\nserver\n");
    }
}
