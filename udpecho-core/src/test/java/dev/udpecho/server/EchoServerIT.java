package dev.udpecho.server;

import dev.udpecho.net.Transport;
import dev.udpecho.policy.DropReason;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.udpecho.testing.Loopback.concat;
import static dev.udpecho.testing.Loopback.receive;
import static dev.udpecho.testing.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;

/** The server over real loopback sockets, on every transport, over IPv4 and IPv6. */
@Timeout(60)
public class EchoServerIT {
    private static final byte[] OK = "OK...".getBytes(StandardCharsets.US_ASCII);

    private static EchoServer start(Transport transport) throws Exception {
        return EchoServer.builder().port(0).transport(transport).start();
    }

    /**
     * @return the stats once {@code replies} replies are counted: a reply is counted once the kernel took it,
     * which may be just after the client read it.
     */
    public static ServerStats settled(EchoServer server, long replies) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        ServerStats stats = server.stats();
        while (stats.replied() < replies && System.nanoTime() < deadline) {
            Thread.sleep(5);
            stats = server.stats();
        }
        assertThat(stats.replied()).as("replies counted").isEqualTo(replies);
        return stats;
    }

    private static InetSocketAddress target(EchoServer server, String loopback) {
        return new InetSocketAddress(Loopback.address(loopback), server.address().getPort());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.udpecho.testing.Loopback#transportsAndAddresses")
    void echoesRandomBinaryPayloadsByteExact(Transport transport, String loopback) throws Exception {
        Random random = new Random(862);
        int[] sizes = {0, 1, 1024, 1025, 8192, 65_502};
        long bytes = 0;
        try (EchoServer server = start(transport); DatagramSocket client = Loopback.socket(loopback, 3000)) {
            for (int size : sizes) {
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                send(client, payload, target(server, loopback));
                assertThat(receive(client)).as("reply to %d bytes", size).isEqualTo(concat(OK, payload));
                bytes += size;
            }
            ServerStats stats = settled(server, sizes.length);
            assertThat(stats.received()).isEqualTo(sizes.length);
            assertThat(stats.replied()).isEqualTo(sizes.length);
            assertThat(stats.bytesReceived()).isEqualTo(bytes);
            assertThat(stats.bytesSent()).isEqualTo(bytes + sizes.length * OK.length);
            assertThat(stats.empty()).isEqualTo(1);
            assertThat(stats.droppedTotal()).isZero();
        }
    }

    /** The log sees the same bytes on every transport, and escapes them the same way. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.udpecho.testing.Loopback#transportsAndAddresses")
    void theLogShowsEachDatagramEscapedWithItsSource(Transport transport, String loopback) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncServerLog log = new AsyncServerLog(out, true, 16, 256);
        String line;
        try (EchoServer server = EchoServer.builder().port(0).transport(transport).log(log).start();
             DatagramSocket client = Loopback.socket(loopback, 3000)) {
            byte[] forged = "fake\nMessage[1.2.3.4:5] - \u001b[2Jowned\u00ff".getBytes(StandardCharsets.UTF_8);
            send(client, forged, target(server, loopback));
            assertThat(receive(client)).isEqualTo(concat(OK, forged));
            String source = loopback.contains(":") ? "[" + loopback + "]" : loopback;
            line = "Message[" + source + ":" + client.getLocalPort() + "] - fake\\nMessage[1.2.3.4:5] - \\x1b[2Jowned\u00ff\n";
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).as("closing the server flushed its log").isEqualTo(line);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.udpecho.testing.Loopback#transportsAndAddresses")
    void emptyDatagramGetsTheBarePrefixAndTheServerGoesOn(Transport transport, String loopback) throws Exception {
        try (EchoServer server = start(transport); DatagramSocket client = Loopback.socket(loopback, 3000)) {
            for (int i = 0; i < 3; i++) {
                send(client, new byte[0], target(server, loopback));
                assertThat(receive(client)).isEqualTo(OK);
            }
            send(client, "still here".getBytes(StandardCharsets.US_ASCII), target(server, loopback));
            assertThat(receive(client)).asString(StandardCharsets.US_ASCII).isEqualTo("OK...still here");
            assertThat(server.isServing()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.udpecho.testing.Loopback#transportsAndAddresses")
    void replyOverTheMaximumIsCountedNotSentAndTheServerGoesOn(Transport transport, String loopback) throws Exception {
        int max = loopback.contains(":") ? 65_527 : 65_507;
        try (EchoServer server = start(transport); DatagramSocket client = Loopback.socket(loopback, 500)) {
            send(client, new byte[max - OK.length + 1], target(server, loopback)); // reply one byte too long
            send(client, new byte[max], target(server, loopback));                 // the largest datagram there is
            assertThat(receive(client)).isNull();
            client.setSoTimeout(3000);
            byte[] fits = new byte[max - OK.length];
            send(client, fits, target(server, loopback));
            assertThat(receive(client)).hasSize(max);
            ServerStats stats = settled(server, 1);
            assertThat(stats.received()).isEqualTo(3);
            assertThat(stats.dropped(DropReason.OVERSIZE)).isEqualTo(2);
            assertThat(stats.replied()).isEqualTo(1);
            assertThat(stats.bytesReceived()).isEqualTo(2L * max - OK.length + 1 + fits.length);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.udpecho.testing.Loopback#transportsAndAddresses")
    void twoHundredConcurrentClientsEachGetTheirOwnReply(Transport transport, String loopback) throws Exception {
        int clients = 200;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (EchoServer server = start(transport)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                byte[] payload = ("client " + i + " of " + clients).getBytes(StandardCharsets.US_ASCII);
                Callable<Integer> client = () -> {
                    try (DatagramSocket s = Loopback.socket(loopback, 2000)) {
                        go.await();
                        // UDP may lose a datagram under a burst; a client tries again, as real ones do.
                        for (int attempt = 1; attempt <= 3; attempt++) {
                            send(s, payload, target(server, loopback));
                            byte[] reply = receive(s);
                            if (reply != null) {
                                assertThat(reply).isEqualTo(concat(OK, payload));
                                return attempt;
                            }
                        }
                        throw new AssertionError("no reply for " + new String(payload, StandardCharsets.US_ASCII));
                    }
                };
                results.add(pool.submit(client));
            }
            go.countDown();
            int attempts = 0;
            for (Future<Integer> r : results) {
                attempts += r.get(30, TimeUnit.SECONDS);
            }
            assertThat(settled(server, attempts).received()).isEqualTo(attempts);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Bursts of several read batches at once (epoll reads 32 datagrams per wake-up and must come back for the
     * rest without waiting for another datagram), answered in full and in order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void burstsLongerThanAReadAreAnsweredInFull(Transport transport) throws Exception {
        int bursts = 5;
        int perBurst = 100;
        try (EchoServer server = start(transport); DatagramSocket client = Loopback.socket("127.0.0.1", 3000)) {
            InetSocketAddress to = target(server, "127.0.0.1");
            for (int b = 0; b < bursts; b++) {
                for (int i = 0; i < perBurst; i++) {
                    send(client, ("burst " + b + " datagram " + i).getBytes(StandardCharsets.US_ASCII), to);
                }
                for (int i = 0; i < perBurst; i++) {
                    byte[] reply = receive(client);
                    assertThat(reply).as("reply %d of burst %d", i, b).isNotNull();
                    assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("OK...burst " + b + " datagram " + i);
                }
            }
            ServerStats stats = settled(server, bursts * perBurst);
            assertThat(stats.received()).isEqualTo(bursts * perBurst);
            assertThat(stats.droppedTotal()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void clientsThatVanishDoNotDisturbOthers(Transport transport) throws Exception {
        try (EchoServer server = start(transport); DatagramSocket steady = Loopback.socket("127.0.0.1", 3000)) {
            for (int round = 0; round < 20; round++) {
                // Replies to a closed port come back as ICMP port unreachable.
                try (DatagramSocket gone = Loopback.socket("127.0.0.1", 100)) {
                    for (int i = 0; i < 10; i++) {
                        send(gone, new byte[] {(byte) i}, target(server, "127.0.0.1"));
                    }
                }
                byte[] payload = ("round " + round).getBytes(StandardCharsets.US_ASCII);
                send(steady, payload, target(server, "127.0.0.1"));
                assertThat(receive(steady)).isEqualTo(concat(OK, payload));
            }
            assertThat(server.isServing()).isTrue();
        }
    }

    @Test
    void dualStackWildcardAnswersIpv4AndIpv6AndReportsItsPort() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).start()) {
            assertThat(server.address().getAddress().isAnyLocalAddress()).isTrue();
            assertThat(server.address().getPort()).isPositive();
            for (String loopback : Loopback.ADDRESSES) {
                try (DatagramSocket client = Loopback.socket(loopback, 3000)) {
                    send(client, "hi".getBytes(StandardCharsets.US_ASCII), target(server, loopback));
                    assertThat(receive(client)).asString(StandardCharsets.US_ASCII).isEqualTo("OK...hi");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void portInUseFailsNamingAddressPortAndCause(Transport transport) throws Exception {
        try (EchoServer first = EchoServer.builder().port(0).start()) {
            int port = first.address().getPort();
            EchoServer.Builder second = EchoServer.builder().port(port).transport(transport);
            BindFailedException e = org.junit.jupiter.api.Assertions.assertThrows(BindFailedException.class, second::start);
            assertThat(e.getMessage()).isEqualTo("[::]:" + port + ": Address already in use");
            assertThat(e.address().getPort()).isEqualTo(port);
            assertThat(first.isServing()).isTrue();
        }
    }

    @Test
    void bindsOnlyTheAddressesGiven() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).bind(Loopback.address("127.0.0.1")).start();
             DatagramSocket v6 = Loopback.socket("::1", 300);
             DatagramSocket v4 = Loopback.socket("127.0.0.1", 3000)) {
            assertThat(server.addresses()).hasSize(1);
            assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            send(v6, new byte[] {1}, target(server, "::1"));
            assertThat(receive(v6)).isNull();
            send(v4, new byte[] {1}, target(server, "127.0.0.1"));
            assertThat(receive(v4)).containsExactly('O', 'K', '.', '.', '.', 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void severalWorkersShareThePortAndAllServe(Transport transport) throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).workers(3).transport(transport).start()) {
            // Three workers show as one address each: the wildcard, or on Netty's transports each of the host's.
            assertThat(server.addresses()).doesNotHaveDuplicates().extracting(InetSocketAddress::getPort)
                    .containsOnly(server.address().getPort());
            if (transport == Transport.NATIVE) {
                assertThat(server.addresses()).hasSize(1);
            }
            for (int i = 0; i < 50; i++) {
                try (DatagramSocket client = Loopback.socket(i % 2 == 0 ? "127.0.0.1" : "::1", 3000)) {
                    byte[] payload = ("client " + i).getBytes(StandardCharsets.US_ASCII);
                    send(client, payload, target(server, i % 2 == 0 ? "127.0.0.1" : "::1"));
                    assertThat(receive(client)).isEqualTo(concat(OK, payload));
                }
            }
            assertThat(settled(server, 50).received()).isEqualTo(50);
            assertThat(server.isServing()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void workersNeverJoinAnotherServersPort(Transport transport) throws Exception {
        // One worker too: on the native transport its wildcard and address sockets share the port.
        for (int workers = 1; workers <= 2; workers++) {
            try (EchoServer first = EchoServer.builder().port(0).workers(workers).transport(transport).start()) {
                int port = first.address().getPort();
                EchoServer.Builder second = EchoServer.builder().port(port).workers(workers).transport(transport);
                BindFailedException e = org.junit.jupiter.api.Assertions.assertThrows(BindFailedException.class, second::start);
                assertThat(e.getMessage()).isEqualTo("[::]:" + port + ": Address already in use");
                assertThat(first.isServing()).isTrue();
            }
        }
    }

    /**
     * For port 0 Linux may hand a socket with SO_REUSEPORT a port that another group of the same user holds, as
     * it counts that port as shareable: two servers started on port 0 would then split each other's traffic.
     * With a third of the ephemeral ports held by such groups, ten servers each landed on one of them about a
     * third of the time.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void portZeroIsNeverAPortAnotherGroupHolds(Transport transport) throws Exception {
        List<DatagramChannel> groups = new ArrayList<>();
        Set<Integer> held = new HashSet<>();
        try {
            for (int i = 0; i < 10_000; i++) {
                DatagramChannel group = DatagramChannel.open(StandardProtocolFamily.INET6);
                groups.add(group);
                group.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                group.bind(new InetSocketAddress(0));
                held.add(((InetSocketAddress) group.getLocalAddress()).getPort());
            }
            for (int i = 0; i < 10; i++) {
                try (EchoServer server = start(transport)) {
                    assertThat(held).as("ports held by other groups").doesNotContain(server.address().getPort());
                }
            }
        } finally {
            for (DatagramChannel group : groups) {
                group.close();
            }
        }
    }

    @Test
    void nativeWildcardAlsoBindsTheHostsAddressesAndStillAnswersFromAnyOther() throws Exception {
        Tools.requireNativeTransport();
        try (EchoServer server = EchoServer.builder().port(0).workers(2).transport(Transport.NATIVE).start()) {
            int port = server.address().getPort();
            assertThat(server.addresses()).as("the addresses asked for, as before").hasSize(1);
            // Two workers: two sockets on each of 127.0.0.1 and ::1, beside the two wildcard ones.
            String hexPort = String.format("%04X", port);
            assertThat(boundLocally("/proc/net/udp", "0100007F:" + hexPort)).isEqualTo(2);
            assertThat(boundLocally("/proc/net/udp6", "00000000000000000000000001000000:" + hexPort)).isEqualTo(2);
            for (String loopback : Loopback.ADDRESSES) {
                try (DatagramSocket client = Loopback.socket(loopback, 3000)) {
                    send(client, "hi".getBytes(StandardCharsets.US_ASCII), target(server, loopback));
                    assertThat(receive(client)).asString(StandardCharsets.US_ASCII).isEqualTo("OK...hi");
                }
            }
            // 127.0.0.2 is no interface's address: the wildcard sockets take it, and reply from it.
            try (DatagramSocket client = Loopback.socket("127.0.0.1", 3000)) {
                InetSocketAddress other = new InetSocketAddress(Loopback.address("127.0.0.2"), port);
                send(client, new byte[] {7}, other);
                InetSocketAddress[] from = new InetSocketAddress[1];
                assertThat(Loopback.receiveFrom(client, from)).containsExactly('O', 'K', '.', '.', '.', 7);
                assertThat(from[0]).isEqualTo(other);
            }
            assertThat(settled(server, 3).received()).isEqualTo(3);
        }
    }

    /** @return how many sockets {@code file} lists with the local address {@code hexAddressAndPort}. */
    private static long boundLocally(String file, String hexAddressAndPort) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of(file)).stream().skip(1)
                .map(l -> l.trim().split("\\s+")[1]).filter(hexAddressAndPort::equals).count();
    }

    @Test
    void closeStopsWithinASecond() throws Exception {
        EchoServer server = EchoServer.builder().port(0).start();
        long start = System.nanoTime();
        server.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        assertThat(server.isServing()).isFalse();
        server.close(); // idempotent
    }
}
