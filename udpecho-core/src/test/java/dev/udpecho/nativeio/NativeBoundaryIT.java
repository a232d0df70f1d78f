package dev.udpecho.nativeio;

import dev.udpecho.testing.ChildProcesses;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing a Java caller does with the JNI classes crashes the JVM (issue 11): {@link NativeMisuse} makes every
 * misuse, and races close against receive, send and shutdown, in a JVM of its own, which a crash would end
 * without its last line.
 */
@Timeout(120)
class NativeBoundaryIT {

    @BeforeAll
    static void nativeLibrary() {
        Tools.requireNativeTransport();
    }

    @Test
    void everyMisuseIsAJavaExceptionAndTheJvmLives() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path output = Files.createTempFile(target, "native-misuse-", ".log");
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        Process child = ChildProcesses.builder(java, "--enable-native-access=ALL-UNNAMED",
                        // A crash report, if any, goes where the build's files go, not into the source tree.
                        "-XX:ErrorFile=" + target.resolve("hs_err_native_misuse_%p.log"),
                        "-cp", System.getProperty("java.class.path"), NativeMisuse.class.getName())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("ended within 90 s").isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("exit status; output: %s", lines).isZero();
        assertThat(lines).isNotEmpty();
        Matcher last = Pattern.compile("alive: refused (\\d+) misuses, raced close in (\\d+) rounds, "
                + "cleaner closed (\\d+) forgotten sockets").matcher(lines.get(lines.size() - 1));
        assertThat(last.matches()).as("last line of %s", lines).isTrue();
        assertThat(Integer.parseInt(last.group(1))).as("misuses refused").isGreaterThanOrEqualTo(130);
        assertThat(Integer.parseInt(last.group(2))).as("rounds of racing close").isGreaterThanOrEqualTo(20);
        assertThat(Integer.parseInt(last.group(3))).as("sockets the cleaner closed").isGreaterThanOrEqualTo(95);
        Files.delete(output);
    }
}
