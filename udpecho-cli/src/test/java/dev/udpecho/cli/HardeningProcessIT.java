package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import dev.udpecho.testing.Slow;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real server under a flood, and on a host with several addresses. */
@Timeout(180)
class HardeningProcessIT {

    @Test
    void aFloodFromThousandsOfSourcesKeepsMemoryBoundedAndServiceImmediate() throws Exception {
        flood(20_000);
    }

    @Slow
    @Test
    void aLongFloodFromHundredsOfThousandsOfSources() throws Exception {
        flood(200_000);
    }

    private static void flood(int sources) throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--quiet",
                "--rate-limit", "50", "--rate-limit-burst", "2", "--rate-limit-table", "4096")) {
            int port = server.awaitListeningPort();
            long peakRss = 0;
            byte[] payload = new byte[64];
            for (int i = 0; i < sources; i++) {
                // 127.0.0.0/8 is all loopback: each socket here is a different source.
                InetAddress source = InetAddress.getByAddress(new byte[] {127, (byte) (1 + (i >> 16)), (byte) (i >> 8), (byte) i});
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0))) {
                    for (int k = 0; k < 3; k++) { // one more than the burst: each source is limited once
                        s.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
                    }
                }
                if (i % 2000 == 0) {
                    peakRss = Math.max(peakRss, rssBytes(server.pid()));
                }
            }
            peakRss = Math.max(peakRss, rssBytes(server.pid()));
            assertThat(peakRss).as("resident memory, bytes").isLessThan(256L << 20);

            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
                client.setSoTimeout(5_000);
                long start = System.nanoTime();
                client.send(new DatagramPacket(new byte[] {'h', 'i'}, 2, InetAddress.getByName("127.0.0.1"), port));
                DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                client.receive(reply);
                assertThat((System.nanoTime() - start) / 1_000_000).as("ms to answer a newcomer").isLessThan(500);
                assertThat(new String(reply.getData(), 0, reply.getLength())).isEqualTo("OK...hi");
            }
            server.signal("TERM");
            assertThat(server.awaitExit(10_000)).isZero();
            String summary = server.stdout().get(server.stdout().size() - 1);
            assertThat(summary).contains("rate-limited ");
            // What the kernel dropped under the flood (receive buffer full) is counted too: nothing unaccounted.
            long received = Long.parseLong(summary.replaceAll("Summary: received (\\d+),.*", "$1"));
            long kernelDrops = summary.contains("kernel drops ")
                    ? Long.parseLong(summary.replaceAll(".*kernel drops (\\d+).*", "$1")) : 0;
            assertThat(received + kernelDrops).isEqualTo(3L * sources + 1);
            long limited = Long.parseLong(summary.replaceAll(".*rate-limited (\\d+).*", "$1"));
            // Each source was over its burst once; sources the table forgot start again with a full bucket.
            assertThat(limited).isBetween(1L, (long) sources);
            assertThat(server.stdout()).filteredOn(l -> l.startsWith("Dropped ")).hasSizeLessThan(200);
        }
    }

    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /**
     * On every transport, a wildcard server answers from the address each datagram was sent to: the addresses
     * the host has at start get sockets of their own. Addresses added later are served by the native
     * transport's wildcard sockets, with the source named (IP_PKTINFO); on epoll only IPv4 ones, answered from an
     * address the kernel picks; not at all on NIO (docs/SECURITY.md).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void onAHostWithSeveralAddressesRepliesLeaveFromTheAddressAsked(Transport transport) throws Exception {
        Tools.require("python3");
        try (NetworkNamespaces net = new NetworkNamespaces()) {
            File launcher = new File(UdpEchoProcess.home(), "udpecho");
            try (UdpEchoProcess server = UdpEchoProcess.start(NetworkNamespaces.in(net.server,
                    List.of(launcher.getPath(), "server", "--port", "0", "--quiet", "--transport", transport.toString())))) {
                int port = server.awaitListeningPort();
                String probe = new File(UdpEchoProcess.home(), "udpecho-cli/src/test/resources/tools/udp_probe.py").getPath();
                for (String address : new String[] {"10.201.0.2", "10.201.0.1", "fd00:201::2", "fd00:201::1"}) {
                    assertThat(probe(net, probe, address, port)).as("reply to a datagram sent to " + address)
                            .isEqualTo(address + ":" + port + " OK...where from?");
                }
                // Two more addresses once the server is up: what it did not bind at start, its wildcard serves.
                net.addServerAddress("10.201.0.4/24");
                net.addServerAddress("fd00:201::4/64");
                for (String address : new String[] {"10.201.0.4", "fd00:201::4"}) {
                    String reply = probe(net, probe, address, port);
                    if (transport == Transport.NATIVE) {
                        assertThat(reply).as("reply to a datagram sent to " + address)
                                .isEqualTo(address + ":" + port + " OK...where from?");
                    } else if (transport == Transport.EPOLL && !address.contains(":")) {
                        assertThat(reply).as("reply to a datagram sent to " + address)
                                .matches("10\\.201\\.0\\.[124]:" + port + " OK\\.\\.\\.where from\\?");
                    } else {
                        // No wildcard socket that could not tell a datagram sent to many hosts: not served.
                        assertThat(reply).as("reply to a datagram sent to " + address).isEqualTo("timeout");
                    }
                }
            }
        }
    }

    /**
     * A datagram sent to many hosts at once gets no reply on any transport, so that no one can make every
     * echo server of a subnet answer a forged source (the Fraggle pattern). The native transport sees each
     * datagram's destination and counts it once per arrival, however many workers receive a copy; epoll sees
     * IPv4 destinations; Netty's sockets that could not tell are bound to unicast addresses only and never
     * receive such datagrams.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void broadcastAndMulticastGetNoReplyAndAreCountedOnce(Transport transport) throws Exception {
        Tools.require("python3");
        String tools = new File(UdpEchoProcess.home(), "udpecho-cli/src/test/resources/tools").getPath();
        try (NetworkNamespaces net = new NetworkNamespaces()) {
            File launcher = new File(UdpEchoProcess.home(), "udpecho");
            try (UdpEchoProcess server = UdpEchoProcess.start(NetworkNamespaces.in(net.server, List.of(launcher.getPath(),
                    "server", "--port", "0", "--quiet", "--workers", "2", "--transport", transport.toString())))) {
                int port = server.awaitListeningPort();
                // Another program on the server's host is a member of 239.1.2.3 on the same port.
                try (UdpEchoProcess member = UdpEchoProcess.start(NetworkNamespaces.in(net.server, List.of("python3",
                        tools + "/multicast_member.py", "239.1.2.3", Integer.toString(port), "10.201.0.1")))) {
                    member.awaitOut("joined", 10_000);
                    String probe = tools + "/udp_probe.py";
                    assertThat(probe(net, probe, "10.201.0.1", port)).isEqualTo("10.201.0.1:" + port + " OK...where from?");
                    for (String manyHosts : new String[] {"10.201.0.255", "255.255.255.255", "239.1.2.3",
                            "ff02::1%" + net.clientLink}) {
                        assertThat(NetworkNamespaces.output(net.client, List.of("python3", probe, manyHosts,
                                Integer.toString(port), "reflect me", "0.5"))).as("sent to " + manyHosts).isEqualTo("timeout");
                    }
                    member.awaitOut("received", 5_000); // the group's datagram did reach the server's host
                    assertThat(probe(net, probe, "fd00:201::1", port)).as("still serving")
                            .isEqualTo("fd00:201::1:" + port + " OK...where from?");
                }
                server.signal("TERM");
                assertThat(server.awaitExit(5_000)).isZero();
                String summary = server.stdout().stream().filter(l -> l.startsWith("Summary:")).findFirst().orElseThrow();
                // What each transport receives of the four, once each. The kernel hands the IPv4 group's datagram to
                // no socket of udpecho's: not to the native transport's dual-stack [::] sockets, nor to epoll's
                // 0.0.0.0 ones (Netty turns IP_MULTICAST_ALL off); the all-nodes group ff02::1 reaches [::].
                String expected;
                if (transport == Transport.NATIVE) {
                    expected = "Summary: received 5, replied 2, dropped 3 (broadcast 2, multicast 1)";
                } else if (transport == Transport.EPOLL) {
                    expected = "Summary: received 4, replied 2, dropped 2 (broadcast 2)";
                } else {
                    expected = "Summary: received 2, replied 2, dropped 0";
                }
                assertThat(summary).startsWith(expected + ",");
            }
        }
    }

    private static String probe(NetworkNamespaces net, String probe, String address, int port) throws Exception {
        return NetworkNamespaces.output(net.client, List.of("python3", probe, address, Integer.toString(port), "where from?"));
    }
}
