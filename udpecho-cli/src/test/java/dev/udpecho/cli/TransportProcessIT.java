package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which transport the real {@code ./udpecho} runs: {@code --version} lists those that run here, the default
 * first, and says why any other does not; the server's {@code Listening on} line names the one it runs.
 */
@Timeout(90)
class TransportProcessIT {
    private static final Map<String, String> NO_NATIVE = Map.of("UDPECHO_JAVA_OPTS", "-Dudpecho.native=false");

    @Test
    void versionNamesTheDefaultTransportAndTheServerRunsIt() throws Exception {
        List<String> version = version(Map.of());
        assertThat(version.get(1)).startsWith("transports: " + Transport.best() + " (default)");
        if (System.getenv("UDPECHO_REQUIRE_TOOLS") != null && Tools.nativeTransportIsBuiltHere()) {
            // CI on Linux x86_64 or aarch64: all three, from both architectures' builds.
            assertThat(version).hasSize(2);
            assertThat(version.get(1)).isEqualTo("transports: native (default), epoll, nio");
        }
        assertThat(listeningLine(Map.of())).endsWith(" (" + Transport.best() + ")");
    }

    @Test
    void withoutTheNativeTransportVersionSaysWhyAndTheServerRunsTheNextBest() throws Exception {
        List<String> version = version(NO_NATIVE);
        Transport next = Transport.bestNetty();
        assertThat(version.get(1)).isEqualTo(next == Transport.EPOLL ? "transports: epoll (default), nio"
                : "transports: nio (default)");
        assertThat(version).contains("native: unavailable (disabled by -Dudpecho.native=false)");
        assertThat(listeningLine(NO_NATIVE)).endsWith(" (" + next + ")");
    }

    private static List<String> version(Map<String, String> environment) throws Exception {
        try (UdpEchoProcess udpecho = UdpEchoProcess.udpecho(environment, "--version")) {
            udpecho.awaitOut("transports: .*", 30_000);
            assertThat(udpecho.awaitExit(30_000)).isZero();
            List<String> lines = udpecho.stdout();
            assertThat(lines.get(0)).matches("udpecho \\S+ \\(netty \\S+, Java \\S+\\)");
            return lines;
        }
    }

    private static String listeningLine(Map<String, String> environment) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(environment, "server", "--port", "0", "--bind",
                "127.0.0.1", "--quiet")) {
            // Closing kills it: how it stops is ServerProcessIT's business.
            return server.awaitOut("Listening on udp://127\\.0\\.0\\.1:\\d+ \\(\\w+\\)", 30_000).group();
        }
    }
}
