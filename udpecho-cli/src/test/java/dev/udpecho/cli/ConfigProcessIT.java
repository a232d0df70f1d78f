package dev.udpecho.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real process configured from the environment and a file: what each source sets, and which wins. */
@Timeout(90)
class ConfigProcessIT {

    @Test
    void fileThenEnvironmentThenCommandLine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("udpecho.conf"),
                "# every server option from the file\nbind=127.0.0.1\nport=0\nprefix=FILE...\nserver.quiet=true\n");
        assertThat(reply(Map.of(), "--config", config.toString())).isEqualTo("FILE...hi");
        assertThat(reply(Map.of("UDPECHO_CONFIG", config.toString()))).isEqualTo("FILE...hi");
        assertThat(reply(Map.of("UDPECHO_CONFIG", config.toString(), "UDPECHO_PREFIX", "ENV..."))).isEqualTo("ENV...hi");
        assertThat(reply(Map.of("UDPECHO_CONFIG", config.toString(), "UDPECHO_PREFIX", "ENV..."), "--prefix", "CLI..."))
                .isEqualTo("CLI...hi");
    }

    @Test
    void flagsAndListsFromTheEnvironment() throws Exception {
        Map<String, String> env = Map.of("UDPECHO_PORT", "0", "UDPECHO_BIND", "127.0.0.1,::1", "UDPECHO_QUIET", "true");
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(env, "server")) {
            server.awaitOut("Listening on udp://\\[::1\\]:\\d+ \\(\\w+\\)", 30_000);
            assertThat(send(server.awaitListeningPort(), "quiet")).isEqualTo("OK...quiet");
            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();
            assertThat(server.stdout()).noneMatch(l -> l.startsWith("Message["));
        }
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(env, "server", "--quiet=false")) {
            int port = server.awaitListeningPort();
            assertThat(send(port, "loud")).isEqualTo("OK...loud");
            server.awaitOut("Message\\[127\\.0\\.0\\.1:\\d+\\] - loud", 10_000);
        }
    }

    /** @return the reply to "hi" from a server started with this environment and these options. */
    private static String reply(Map<String, String> env, String... options) throws Exception {
        String[] args = new String[options.length + 1];
        args[0] = "server";
        System.arraycopy(options, 0, args, 1, options.length);
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(env, args)) {
            int port = Integer.parseInt(server.awaitOut("Listening on udp://127\\.0\\.0\\.1:(\\d+) \\(\\w+\\)", 30_000).group(1));
            String reply = send(port, "hi");
            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();
            assertThat(server.stdout()).as("server.quiet=true in the file").noneMatch(l -> l.startsWith("Message["));
            return reply;
        }
    }

    private static String send(int port, String text) throws Exception {
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            client.setSoTimeout(5_000);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", port)));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            client.receive(reply);
            return new String(Arrays.copyOf(reply.getData(), reply.getLength()), StandardCharsets.UTF_8);
        }
    }
}
