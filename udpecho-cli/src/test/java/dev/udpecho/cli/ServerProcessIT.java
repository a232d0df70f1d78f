package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import dev.udpecho.testing.ChildProcesses;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

/** The real {@code ./udpecho server} process, driven as the tutorial does: with ncat, and stopped by a signal. */
@Timeout(90)
class ServerProcessIT {

    @Test
    void tutorialTranscriptWithNcat() throws Exception {
        Tools.require("ncat");
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0")) {
            int port = server.awaitListeningPort();
            try (UdpEchoProcess ncat = UdpEchoProcess.start(List.of("ncat", "-vv", "localhost", Integer.toString(port), "-u"))) {
                ncat.awaitErr("Ncat: Connected to 127\\.0\\.0\\.1:" + port + "\\.", 10_000);
                ncat.write("hello\n");
                ncat.awaitOut("OK\\.\\.\\.hello", 10_000);
                ncat.write("how are you\n");
                ncat.awaitOut("OK\\.\\.\\.how are you", 10_000);
                ncat.stdin().close();
                assertThat(ncat.stdout()).containsExactly("OK...hello", "OK...how are you");
            }
            Matcher first = server.awaitOut("Message\\[127\\.0\\.0\\.1:(\\d+)\\] - hello", 10_000);
            server.awaitOut("Message\\[127\\.0\\.0\\.1:" + first.group(1) + "\\] - how are you", 10_000);

            long signalled = System.nanoTime();
            server.signal("INT");
            assertThat(server.awaitExit(5_000)).isZero();
            assertThat((System.nanoTime() - signalled) / 1_000_000).as("ms to stop").isLessThan(1_000);
            assertThat(server.stdout()).containsExactly(
                    "Socket created",
                    "Socket bind complete",
                    "Listening on udp://[::]:" + port + " (" + Transport.best() + ")",
                    "Message[127.0.0.1:" + first.group(1) + "] - hello",
                    "Message[127.0.0.1:" + first.group(1) + "] - how are you",
                    "Summary: received 2, replied 2, dropped 0, bytes in 18, bytes out 28");
            assertThat(server.stderr()).isEmpty();
        }
    }

    @Test
    void sigtermStopsWithASummaryAndStatusZero() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--quiet");
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            int port = server.awaitListeningPort();
            client.setSoTimeout(5_000);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("::1"), port);
            byte[] buffer = new byte[100];
            for (int i = 0; i < 3; i++) {
                client.send(new DatagramPacket(new byte[i], i, to)); // 0, 1 and 2 bytes: empty ones too
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                client.receive(reply);
                assertThat(reply.getLength()).isEqualTo(5 + i);
            }
            long signalled = System.nanoTime();
            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();
            assertThat((System.nanoTime() - signalled) / 1_000_000).as("ms to stop").isLessThan(1_000);
            assertThat(server.stdout()).containsExactly(
                    "Socket created",
                    "Socket bind complete",
                    "Listening on udp://[::]:" + port + " (" + Transport.best() + ")",
                    "Summary: received 3, replied 3, dropped 0, bytes in 3, bytes out 18, empty 1");
        }
    }

    @Test
    void hostileBytesAreEscapedInTheLogAndEchoedExactly() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1");
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = server.awaitListeningPort();
            client.setSoTimeout(5_000);
            byte[] hostile = "x\nMessage[6.6.6.6:6] - forged\u001b[2J\u001b]0;title\u0007"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] withInvalid = new byte[hostile.length + 2];
            System.arraycopy(hostile, 0, withInvalid, 0, hostile.length);
            withInvalid[hostile.length] = (byte) 0xff;
            withInvalid[hostile.length + 1] = (byte) 0xc0;
            client.send(new DatagramPacket(withInvalid, withInvalid.length,
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port)));
            byte[] buffer = new byte[200];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            client.receive(reply);
            byte[] expected = new byte[5 + withInvalid.length];
            System.arraycopy("OK...".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 5);
            System.arraycopy(withInvalid, 0, expected, 5, withInvalid.length);
            assertThat(java.util.Arrays.copyOf(buffer, reply.getLength())).isEqualTo(expected);

            server.awaitOut("Message\\[127\\.0\\.0\\.1:\\d+\\] - .*", 10_000);
            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();
            List<String> out = server.stdout();
            assertThat(out).hasSize(5);
            assertThat(out.get(3)).isEqualTo("Message[127.0.0.1:" + client.getLocalPort()
                    + "] - x\\nMessage[6.6.6.6:6] - forged\\x1b[2J\\x1b]0;title\\x07\\xff\\xc0");
            assertThat(out).noneMatch(l -> l.startsWith("Message[6.6.6.6"));
        }
    }

    @Test
    void faultInjectionOptionsImpairRepliesAndTheSummaryCountsThem() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--quiet",
                "--loss", "50%", "--duplicate", "0.5", "--delay", "5ms±2ms", "--seed", "7");
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = server.awaitListeningPort();
            client.setSoTimeout(300);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
            int replies = 0;
            for (int i = 0; i < 200; i++) {
                client.send(new DatagramPacket(new byte[] {(byte) i}, 1, to));
            }
            try {
                while (true) {
                    client.receive(new DatagramPacket(new byte[100], 100));
                    replies++;
                }
            } catch (java.net.SocketTimeoutException e) {
                // all in
            }
            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();
            String summary = server.stdout().get(server.stdout().size() - 1);
            assertThat(summary).matches("Summary: received 200, replied " + replies
                    + ", dropped 0, bytes in 200, bytes out \\d+, impaired \\(lost \\d+, duplicated \\d+, delayed \\d+\\)");
            long lost = Long.parseLong(summary.replaceAll(".*lost (\\d+).*", "$1"));
            long duplicated = Long.parseLong(summary.replaceAll(".*duplicated (\\d+).*", "$1"));
            assertThat(replies).isEqualTo(200 - lost + duplicated);
            assertThat(lost).isBetween(60L, 140L);
        }
    }

    @Test
    void portInUseSaysBindFailedOnOneLineAndExitsOne() throws Exception {
        try (DatagramSocket holder = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0))) {
            int port = holder.getLocalPort();
            try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", Integer.toString(port))) {
                assertThat(server.awaitExit(30_000)).isEqualTo(1);
                assertThat(server.stdout()).containsExactly("Socket created");
                assertThat(server.stderr()).containsExactly("Bind failed: [::]:" + port + ": Address already in use");
            }
        }
    }

    @Test
    void anAddressThatIsNotLocalSaysBindFailed() throws Exception {
        // 192.0.2.1 (TEST-NET-1) is never assigned here; nothing is sent to it.
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--bind", "192.0.2.1", "--port", "0")) {
            assertThat(server.awaitExit(30_000)).isEqualTo(1);
            assertThat(server.stderr()).containsExactly("Bind failed: 192.0.2.1:0: Cannot assign requested address");
        }
    }

    @Test
    void aPrivilegedPortWithoutPrivilegeSaysBindFailed() throws Exception {
        Assumptions.assumeTrue(Tools.onPath("setpriv") && "root".equals(System.getProperty("user.name")),
                "needs root and setpriv, to run the server as nobody");
        String jar = new File(UdpEchoProcess.home(), "udpecho-cli/target/udpecho.jar").getPath();
        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        Process readable = ChildProcesses.builder(concat(asNobody, List.of("test", "-r", jar))).start();
        Assumptions.assumeTrue(readable.waitFor() == 0, "nobody cannot read " + jar + " here");
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        try (UdpEchoProcess server = UdpEchoProcess.start(concat(asNobody, List.of(java, "-jar", jar, "server", "--port", "1")))) {
            assertThat(server.awaitExit(30_000)).isEqualTo(1);
            assertThat(server.stderr()).containsExactly("Bind failed: [::]:1: Permission denied");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void badOptionIsOneLineAndExitTwo() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "88888")) {
            assertThat(server.awaitExit(30_000)).isEqualTo(2);
            assertThat(server.stdout()).isEmpty();
            assertThat(server.stderr()).containsExactly(
                    "udpecho server: Invalid value for option '--port': '88888' is not a port (0-65535)"
                            + " (see 'udpecho server --help')");
        }
    }
}
