package dev.udpecho.cli;

import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native and epoll transports send a batch's consecutive replies to one peer as one segmented send
 * (UDP_SEGMENT, issue 13); NIO cannot. The peer must receive exactly the datagrams it would have otherwise.
 * {@code udp_gso_peer.py} checks every reply, in order. Its socket has UDP_GRO on, so the kernel hands it a
 * segmented send whole and it can tell whether replies were segmented; and its bursts are segmented sends, which
 * reach the native server, which has UDP_GRO on too, whole.
 */
@Timeout(120)
class SegmentedRepliesProcessIT {
    private static final String TOOLS = new File(UdpEchoProcess.home(), "udpecho-cli/src/test/resources/tools").getPath();
    private static final Pattern PEER = Pattern.compile(
            "replies (\\d+) bad (\\d+) segmented_reads (\\d+) most_segments (\\d+)");
    private static final Pattern SUMMARY = Pattern.compile(
            "Summary: received (\\d+), replied (\\d+), .*?(?:socket errors (\\d+).*)?");

    @BeforeAll
    static void tools() {
        Tools.require("python3");
        Tools.requireNativeTransport();
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll"})
    void repliesToOnePeerGoSegmentedAndArriveAsTheSameDatagrams(String transport) throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1"}) {
            Matcher peer = exchange(Map.of(), transport, host, 20, 100);
            assertThat(Long.parseLong(peer.group(1))).as("replies").isEqualTo(20 * 35);
            assertThat(Long.parseLong(peer.group(3))).as("reads of a segmented send, from %s", host).isPositive();
            assertThat(Long.parseLong(peer.group(4))).as("most replies in one send").isGreaterThan(1).isLessThanOrEqualTo(64);
        }
    }

    @Test
    void nioSendsEachReplyOnItsOwnAndTheyArriveAlike() throws Exception {
        Matcher peer = exchange(Map.of(), "nio", "127.0.0.1", 20, 100);
        assertThat(Long.parseLong(peer.group(1))).as("replies").isEqualTo(20 * 35);
        assertThat(Long.parseLong(peer.group(3))).as("reads of a segmented send").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll"})
    void withSegmentationOffEachReplyIsItsOwnSend(String transport) throws Exception {
        Matcher peer = exchange(Map.of("UDPECHO_JAVA_OPTS", "-Dudpecho.segmentation=false"), transport, "127.0.0.1",
                20, 100);
        assertThat(Long.parseLong(peer.group(1))).as("replies").isEqualTo(20 * 35);
        assertThat(Long.parseLong(peer.group(3))).as("reads of a segmented send").isZero();
    }

    /**
     * The native server asks for receive-side GRO (issue 13), so each of the peer's segmented bursts reaches it as
     * one datagram holding 32, answered one by one above; with GRO off the kernel cuts the burst up first, and
     * the peer gets the same replies.
     */
    @Test
    void withReceiveSideGroOffTheRepliesAreTheSame() throws Exception {
        Matcher peer = exchange(Map.of("UDPECHO_JAVA_OPTS", "-Dudpecho.gro=false"), "native", "127.0.0.1", 20, 100);
        assertThat(Long.parseLong(peer.group(1))).as("replies").isEqualTo(20 * 35);
        assertThat(Long.parseLong(peer.group(3))).as("reads of a segmented send").isPositive();
    }

    /**
     * Replies of 1477 bytes cannot go as segments over a link of MTU 1500 (each segment must fit a packet): the
     * kernel refuses the segmented send, and the server sends them one by one, fragmented, and stops trying.
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll"})
    void segmentsLargerThanThePathMtuAreSentOneByOne(String transport) throws Exception {
        try (NetworkNamespaces net = new NetworkNamespaces()) {
            File launcher = new File(UdpEchoProcess.home(), "udpecho");
            try (UdpEchoProcess server = UdpEchoProcess.start(NetworkNamespaces.in(net.server, List.of(launcher.getPath(),
                    "server", "--bind", "10.201.0.1", "--port", "0", "--quiet", "--transport", transport,
                    "--workers", "1", "--rate-limit", "0")))) {
                String port = Integer.toString(server.awaitListeningPort());
                String out = NetworkNamespaces.output(net.client, List.of("python3", TOOLS + "/udp_gso_peer.py",
                        "10.201.0.1", port, "OK...", "10", "1472"));
                Matcher peer = PEER.matcher(out.trim());
                assertThat(peer.matches()).as(out).isTrue();
                assertThat(Long.parseLong(peer.group(2))).as(out).isZero();
                assertThat(Long.parseLong(peer.group(1))).as(out).isEqualTo(10 * 35);
                Matcher summary = stop(server);
                assertThat(summary.group(2)).as("replied").isEqualTo(summary.group(1));
                assertThat(summary.group(3)).as("socket errors").isNull();
            }
        }
    }

    /**
     * Each datagram of a merged run is one datagram to the engine: one line in the log, one in the counts. The
     * native server receives the peer's bursts of 32 merged, epoll and NIO each on its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "epoll", "nio"})
    void eachDatagramOfABurstIsLoggedAndCountedAlone(String transport) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(Map.of(), "server", "--port", "0", "--transport",
                transport, "--workers", "1", "--rate-limit", "0")) {
            Matcher peer = peer(server, "127.0.0.1", 5, 100);
            assertThat(Long.parseLong(peer.group(1))).as("replies").isEqualTo(5 * 35);
            Matcher summary = stop(server);
            assertThat(summary.group(1)).as("received").isEqualTo(Integer.toString(5 * 35));
            assertThat(server.stdout().stream().filter(l -> l.startsWith("Message[127.0.0.1:"))).hasSize(5 * 35);
            assertThat(server.stdout()).as("the last of the last burst")
                    .anyMatch(l -> l.matches("Message\\[127\\.0\\.0\\.1:\\d+] - 000004-0031-x{88}"));
        }
    }

    private static Matcher exchange(Map<String, String> environment, String transport, String host, int bursts,
                                    int size) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho(environment, "server", "--port", "0", "--quiet",
                "--transport", transport, "--workers", "1", "--rate-limit", "0")) {
            Matcher m = peer(server, host, bursts, size);
            Matcher summary = stop(server);
            assertThat(summary.group(1)).as("received").isEqualTo(m.group(1));
            assertThat(summary.group(2)).as("replied").isEqualTo(summary.group(1));
            return m;
        }
    }

    /** Runs {@code udp_gso_peer.py} against the server, and checks that every reply came back right. */
    private static Matcher peer(UdpEchoProcess server, String host, int bursts, int size) throws Exception {
        String port = Integer.toString(server.awaitListeningPort());
        try (UdpEchoProcess peer = UdpEchoProcess.start(List.of("python3", TOOLS + "/udp_gso_peer.py", host, port,
                "OK...", Integer.toString(bursts), Integer.toString(size)))) {
            int status = peer.awaitExit(60_000);
            String line = String.join("\n", peer.stdout());
            Matcher m = PEER.matcher(line.trim());
            assertThat(m.matches()).as("the peer says: %s %s", line, peer.stderr()).isTrue();
            assertThat(Long.parseLong(m.group(2))).as("wrong or missing replies: %s", line).isZero();
            assertThat(status).as(line).isZero();
            return m;
        }
    }

    private static Matcher stop(UdpEchoProcess server) throws Exception {
        server.signal("TERM");
        assertThat(server.awaitExit(10_000)).isZero();
        String summary = server.stdout().stream().filter(l -> l.startsWith("Summary:")).findFirst().orElseThrow();
        Matcher m = SUMMARY.matcher(summary);
        assertThat(m.matches()).as(summary).isTrue();
        return m;
    }
}
