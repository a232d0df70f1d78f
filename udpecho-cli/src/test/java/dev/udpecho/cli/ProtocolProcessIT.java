package dev.udpecho.cli;

import dev.udpecho.testing.Peers;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code udpecho server --protocol stamp|sockperf} against implementations nobody on the team wrote: packets
 * built and replies parsed by scapy's STAMP codec ({@code stamp_sender.py} checks every field of every reply),
 * and sockperf's own ping-pong and under-load clients. Bad packets of either protocol get no reply, are counted
 * by reason, and the server goes on serving.
 */
@Peers
@Timeout(180)
class ProtocolProcessIT {
    private static final String SENDER = new File(UdpEchoProcess.home(),
            "udpecho-cli/src/test/resources/tools/stamp_sender.py").getPath();
    private static final Pattern CHECKED = Pattern.compile("checked (\\d+) fields in (\\d+) replies");
    /** sockperf's count over the measured interval, after its warm-up. */
    private static final Pattern VALID = Pattern.compile(
            "\\[Total Run\\] RunTime=[\\d.]+ sec; Warm up time=\\d+ msec; SentMessages=(\\d+); ReceivedMessages=\\d+"
                    + "[\\s\\S]*\\[Valid Duration\\] RunTime=[\\d.]+ sec; SentMessages=(\\d+); ReceivedMessages=(\\d+)"
                    + "[\\s\\S]*?dropped messages = \\d+");
    private static final int PACKETS = 60;
    /** The TOS the sender sets: DSCP 46 (EF) and ECN 0. */
    private static final String TOS = "184";

    @BeforeAll
    static void tools() {
        Tools.requireNativeTransport();
        Tools.requirePythonModule("scapy.contrib.stamp", "python3-scapy");
        Tools.require("sockperf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll", "nio"})
    void aStatefulReflectorCountsEachSendersOwnSequence(String transport) throws Exception {
        boolean knowsHops = transport.equals("native");
        stampSession(transport, "stateful", knowsHops ? "64" : "-1", knowsHops ? TOS : "-1", true);
    }

    @Test
    void overIpv6TheHopLimitAndTrafficClassComeBack() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "stamp", "--port", "0",
                "--bind", "::1", "--quiet", "--transport", "native")) {
            int port = server.awaitListeningPort();
            // The sender sets IP_TOS, which an IPv6 socket ignores: the traffic class arrives as 0.
            assertThat(senderChecks("::1", port, "stateless", "64", "-1", false)).isEqualTo(PACKETS);
            assertThat(stop(server)).contains("received " + PACKETS + ", replied " + PACKETS);
        }
    }

    private static void stampSession(String transport, String mode, String ttl, String tos, boolean synchronised)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("server", "--protocol", "stamp", "--port", "0", "--bind",
                "127.0.0.1", "--quiet", "--transport", transport, "--stamp-mode", mode, "--rate-limit", "0"));
        if (synchronised) {
            args.add("--clock-synchronised");
        }
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(args.toArray(new String[0]))) {
            int port = server.awaitListeningPort();
            assertThat(senderChecks("127.0.0.1", port, mode, ttl, tos, synchronised)).isEqualTo(PACKETS);
            assertThat(stop(server)).contains("received " + PACKETS + ", replied " + PACKETS + ", dropped 0");
        }
    }

    /** @return replies scapy parsed with every field right. */
    private static int senderChecks(String host, int port, String mode, String ttl, String tos, boolean synchronised)
            throws Exception {
        try (UdpEchoProcess sender = UdpEchoProcess.start(List.of(Tools.DEBIAN_PYTHON, SENDER, host,
                Integer.toString(port), Integer.toString(PACKETS), mode, ttl, tos, synchronised ? "1" : "0"))) {
            int status = sender.awaitExit(120_000);
            String out = String.join("\n", sender.stdout());
            assertThat(status).as("the sender says: %s %s", out, sender.stderr()).isZero();
            Matcher m = CHECKED.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(Integer.parseInt(m.group(1))).as("fields checked").isGreaterThan(10 * PACKETS);
            return Integer.parseInt(m.group(2));
        }
    }

    /**
     * Bad packets first, then scapy's session, whose every field must be right: every transport reflects; the
     * native one also returns the TTL and the TOS the packet came with, which Netty's datagram channels do not
     * report (they read as 0).
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll", "nio"})
    void badStampPacketsAreCountedAndTheReflectorGoesOnWithEveryFieldRight(String transport) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "stamp", "--port", "0",
                "--bind", "127.0.0.1", "--quiet", "--transport", transport, "--rate-limit", "0")) {
            int port = server.awaitListeningPort();
            Random random = new Random(862);
            List<byte[]> bad = new ArrayList<>();
            bad.add(new byte[0]);
            bad.add(new byte[5]);
            bad.add(new byte[13]);
            byte[] reflected = new byte[44]; // another reflector's reply: receive and sender timestamps set
            ByteBuffer.wrap(reflected).putLong(16, 1L << 40).putLong(28, 1L << 40);
            bad.add(reflected);
            int tooShort = 3;
            int answeredGarbage = 0;
            for (int i = 0; i < 20; i++) { // garbage, TLV lengths that run anywhere: answered, never read past
                byte[] garbage = new byte[44 + random.nextInt(1400)];
                random.nextBytes(garbage);
                ByteBuffer.wrap(garbage).putLong(16, 0); // a receive timestamp of 0: a sender's packet
                bad.add(garbage);
                answeredGarbage++;
            }
            byte[] huge = new byte[65_507];
            random.nextBytes(huge);
            ByteBuffer.wrap(huge).putLong(16, 0).putShort(46, (short) 0xFFFF);
            bad.add(huge);
            answeredGarbage++;
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                socket.setSoTimeout(2_000);
                socket.setReceiveBufferSize(1 << 20);
                for (byte[] b : bad) {
                    socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
                }
                byte[] buffer = new byte[65_535];
                for (int i = 0; i < answeredGarbage; i++) {
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    socket.receive(reply);
                    assertThat(reply.getLength()).as("a reply as long as its packet").isGreaterThanOrEqualTo(44);
                }
            }
            assertThat(senderChecks("127.0.0.1", port, "stateless", transport.equals("native") ? "64" : "-1",
                    transport.equals("native") ? TOS : "-1", false)).isEqualTo(PACKETS);
            String summary = stop(server);
            assertThat(summary).contains("received " + (bad.size() + PACKETS) + ", replied "
                    + (answeredGarbage + PACKETS)).contains("too-short " + tooShort).contains("echo-of-echo 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll", "nio"})
    void sockperfPingPongAndUnderLoadGetEveryReply(String transport) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "sockperf", "--port", "0",
                "--bind", "127.0.0.1", "--quiet", "--transport", transport, "--rate-limit", "0")) {
            String port = Integer.toString(server.awaitListeningPort());
            Matcher pingPong = sockperf("ping-pong", "-i", "127.0.0.1", "-p", port, "-t", "1", "--msg-size", "64");
            assertThat(Long.parseLong(pingPong.group(2))).as("ping-pong messages sent").isPositive();
            assertThat(pingPong.group(3)).as("ping-pong replies").isEqualTo(pingPong.group(2));
            Matcher underLoad = sockperf("under-load", "-i", "127.0.0.1", "-p", port, "-t", "1", "--mps", "10000",
                    "--reply-every", "1", "--msg-size", "1400");
            long sent = Long.parseLong(underLoad.group(2));
            assertThat(sent).as("under-load messages sent").isGreaterThan(3_000);
            // The last replies may still be on their way when sockperf stops counting (it calls them dropped; on a
            // loaded 2-CPU machine 4% of a second's were, once): the server's summary shows that every message
            // got its reply.
            assertThat(Long.parseLong(underLoad.group(3))).as("under-load replies").isBetween(sent * 90 / 100, sent);
            String summary = stop(server);
            Matcher counts = Pattern.compile("received (\\d+), replied (\\d+), dropped 0").matcher(summary);
            assertThat(counts.find()).as(summary).isTrue();
            assertThat(counts.group(2)).as("every message answered: %s", summary).isEqualTo(counts.group(1));
            assertThat(Long.parseLong(counts.group(1))).as("all sent were received").isEqualTo(
                    Long.parseLong(pingPong.group(1)) + Long.parseLong(underLoad.group(1)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll", "nio"})
    void badSockperfMessagesAreCountedAndTheServerGoesOn(String transport) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "sockperf", "--port", "0",
                "--bind", "127.0.0.1", "--quiet", "--transport", transport, "--rate-limit", "0")) {
            int port = server.awaitListeningPort();
            List<byte[]> bad = new ArrayList<>();
            bad.add(new byte[0]);
            bad.add(new byte[13]);
            bad.add(header(64, 1 | 2, 65)); // says 65 bytes, has 64
            bad.add(header(65_507, 1 | 2, 14)); // huge, says 14
            bad.add(header(64, 2, 64)); // a server's message: no client flag
            bad.add(header(64, 1, 64)); // asks for no reply
            bad.add(header(64, 1 | 2 | 4, 64)); // a warm-up
            byte[] good = header(100, 1 | 2, 100);
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                socket.setSoTimeout(2_000);
                for (byte[] b : bad) {
                    socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
                }
                socket.send(new DatagramPacket(good, good.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                socket.receive(reply); // only the good one is answered, and it comes after all the others
                ByteBuffer r = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
                assertThat(reply.getLength()).isEqualTo(100);
                assertThat(r.getLong(0)).as("sequence").isEqualTo(7);
                assertThat(r.getShort(8)).as("flags: the client flag cleared").isEqualTo((short) 2);
            }
            assertThat(stop(server)).contains("too-short 2").contains("bad-header 2").contains("not-asked 3");
        }
    }

    /** @return a sockperf message: sequence 7, the flags, the length its header names, of {@code size} bytes. */
    private static byte[] header(int size, int flags, int length) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(0, 7).putShort(8, (short) flags).putInt(10, length);
        return b.array();
    }

    @Test
    void aPrefixIsForTheEchoOnly() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "stamp", "--prefix", "OK...",
                "--port", "0")) {
            assertThat(server.awaitExit(30_000)).isEqualTo(2);
            assertThat(server.stderr()).hasSize(1);
            assertThat(server.stderr().get(0)).contains("--prefix is for the echo");
        }
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "twamp", "--port", "0")) {
            assertThat(server.awaitExit(30_000)).isEqualTo(2);
            assertThat(server.stderr()).hasSize(1);
            assertThat(server.stderr().get(0)).contains("unknown protocol 'twamp' (expected echo, stamp or sockperf)");
        }
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "stamp", "--stamp-mode", "lazy",
                "--port", "0")) {
            assertThat(server.awaitExit(30_000)).isEqualTo(2);
            assertThat(server.stderr()).hasSize(1);
            assertThat(server.stderr().get(0)).contains("expected stateless or stateful");
        }
    }

    private static Matcher sockperf(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sockperf"));
        command.addAll(List.of(args));
        try (UdpEchoProcess client = UdpEchoProcess.start(command)) {
            int status = client.awaitExit(60_000);
            String out = String.join("\n", client.stdout()) + "\n" + String.join("\n", client.stderr());
            assertThat(status).as(out).isZero();
            Matcher m = VALID.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            return m;
        }
    }

    private static String stop(UdpEchoProcess server) throws Exception {
        server.signal("TERM");
        assertThat(server.awaitExit(10_000)).isZero();
        return server.stdout().stream().filter(l -> l.startsWith("Summary:")).findFirst().orElseThrow();
    }
}
