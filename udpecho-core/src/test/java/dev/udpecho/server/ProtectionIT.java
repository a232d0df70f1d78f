package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.AccessList;
import dev.udpecho.policy.Cidr;
import dev.udpecho.policy.DropReason;
import dev.udpecho.policy.RateLimits;
import dev.udpecho.testing.Await;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.udpecho.testing.Loopback.concat;
import static dev.udpecho.testing.Loopback.receive;
import static dev.udpecho.testing.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Rate limits, access lists, kernel drop accounting and fuzzing, against real servers on loopback. */
@Timeout(120)
class ProtectionIT {
    private static final byte[] OK = "OK...".getBytes(StandardCharsets.US_ASCII);

    private static InetSocketAddress target(EchoServer server, String loopback) {
        return new InetSocketAddress(Loopback.address(loopback), server.address().getPort());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void aSourceGetsItsBurstThenItsRate(Transport transport) throws Exception {
        RateLimits limits = new RateLimits(200, 20, 32, 64, 0, 1024, true);
        try (EchoServer server = EchoServer.builder().port(0).transport(transport).config(c -> c.rateLimits(limits)).start();
             DatagramSocket warmup = Loopback.socket("127.0.0.2", 300);
             DatagramSocket client = Loopback.socket("127.0.0.1", 300)) {
            // The limits apply when the server reads a datagram; warm it up so that a compiler pause does not
            // make a steady stream look like a burst.
            for (int i = 0; i < 20_000; i++) {
                send(warmup, new byte[] {1}, target(server, "127.0.0.1"));
            }
            Await.until("the warm-up read", Duration.ofSeconds(10),
                    () -> server.stats().received() + server.stats().kernelDrops() >= 20_000);
            // Netty counts a reply once written, after its datagram was counted received: wait for the last ones.
            Await.until("the warm-up's replies counted", Duration.ofSeconds(10),
                    () -> server.stats().replied() + server.stats().droppedTotal() == server.stats().received());
            long before = server.stats().replied();
            // 2000 datagrams over about two seconds: 20 at once, then 200 a second.
            long start = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                send(client, ("n" + i).getBytes(StandardCharsets.US_ASCII), target(server, "127.0.0.1"));
                long due = start + TimeUnit.MILLISECONDS.toNanos(i);
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int replies = 0;
            while (receive(client) != null) {
                replies++;
            }
            double expected = 20 + 200 * seconds;
            assertThat((double) replies).as("replies in %.2f s", seconds).isBetween(expected * 0.85, expected * 1.1 + 5);
            assertThat(server.stats().replied() - before).isEqualTo(replies);
        }
    }

    @Test
    void loopbackIsNotLimitedByDefaultButOthersAre() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).start();
             DatagramSocket client = Loopback.socket("127.0.0.1", 2000)) {
            assertThat(server.config().rateLimits()).isEqualTo(RateLimits.DEFAULT);
            for (int i = 0; i < 1000; i++) {
                send(client, new byte[] {1}, target(server, "127.0.0.1"));
                assertThat(receive(client)).isNotNull();
            }
            assertThat(server.stats().droppedTotal()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void accessListsRefuseAndCount(Transport transport) throws Exception {
        AccessList list = new AccessList(List.of(Cidr.parse("127.0.0.0/8")), List.of(Cidr.parse("127.0.0.66")));
        try (EchoServer server = EchoServer.builder().port(0).transport(transport).config(c -> c.accessList(list)).start();
             DatagramSocket allowed = Loopback.socket("127.0.0.1", 2000);
             DatagramSocket denied = Loopback.socket("127.0.0.66", 300);
             DatagramSocket outside = Loopback.socket("::1", 300)) {
            send(denied, new byte[] {1}, target(server, "127.0.0.1"));
            send(outside, new byte[] {2}, target(server, "::1"));
            send(allowed, new byte[] {3}, target(server, "127.0.0.1"));
            assertThat(receive(allowed)).containsExactly('O', 'K', '.', '.', '.', 3);
            assertThat(receive(denied)).isNull();
            assertThat(receive(outside)).isNull();
            assertThat(server.stats().dropped(DropReason.ACCESS_DENIED)).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void nothingIsLostUnaccountedWhenTheReceiveBufferOverflows(Transport transport) throws Exception {
        // A small buffer and a burst of large datagrams: the kernel must drop some, and say so.
        try (EchoServer server = EchoServer.builder().port(0).transport(transport).config(c -> c.receiveBufferBytes(16 * 1024))
                .bind(Loopback.address("127.0.0.1")).start();
             DatagramSocket client = Loopback.socket("127.0.0.1", 100)) {
            int sent = 0;
            for (int i = 0; i < 2000; i++) {
                send(client, new byte[8000], target(server, "127.0.0.1"));
                sent++;
            }
            int burst = sent;
            Await.until("the burst read or dropped", Duration.ofSeconds(10),
                    () -> server.stats().received() + server.stats().kernelDrops() >= burst);
            // The native transport also learns the kernel's count with the next datagram it reads.
            send(client, new byte[1], target(server, "127.0.0.1"));
            sent++;
            int all = sent;
            Await.until("the last datagram read", Duration.ofSeconds(10),
                    () -> server.stats().received() + server.stats().kernelDrops() >= all);
            ServerStats stats = server.stats();
            assertThat(stats.kernelDrops()).as("kernel drops").isPositive();
            assertThat(stats.received() + stats.kernelDrops()).isEqualTo(sent);
        }
    }

    @Test
    void theGrantedReceiveBufferIsReported() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).config(c -> c.receiveBufferBytes(64 * 1024)).start()) {
            assertThat(server.receiveBufferGranted()).isEqualTo(64 * 1024);
        }
        try (EchoServer server = EchoServer.builder().port(0).config(c -> c.receiveBufferBytes(1 << 30)).start()) {
            assertThat(server.receiveBufferGranted()).as("capped by net.core.rmem_max").isLessThan(1 << 30);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void fuzz(Transport transport) throws Exception {
        fuzz(transport, 1500, 862);
    }

    @Slow
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void fuzzLong(Transport transport) throws Exception {
        fuzz(transport, 30_000, 7);
    }

    /**
     * Random datagrams of random sizes, 0 to 65502 bytes, mostly small: every reply byte-exact, and nothing
     * the server reports is an error.
     */
    private static void fuzz(Transport transport, int datagrams, long seed) throws Exception {
        List<String> notices = Collections.synchronizedList(new ArrayList<>());
        ServerLog capture = new ServerLog() {
            @Override
            public void message(PeerAddress source, ByteBuffer payload) {
            }

            @Override
            public void notice(String line) {
                notices.add(line);
            }

            @Override
            public long dropped() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
        Random random = new Random(seed);
        try (EchoServer server = EchoServer.builder().port(0).transport(transport).log(capture).start();
             DatagramSocket v4 = Loopback.socket("127.0.0.1", 3000);
             DatagramSocket v6 = Loopback.socket("::1", 3000)) {
            for (int i = 0; i < datagrams; i++) {
                int size = random.nextInt(4) == 0 ? random.nextInt(65_503) : random.nextInt(1500);
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                boolean useV6 = random.nextBoolean();
                DatagramSocket client = useV6 ? v6 : v4;
                send(client, payload, target(server, useV6 ? "::1" : "127.0.0.1"));
                assertThat(receive(client)).as("datagram %d of %d bytes", i, size).isEqualTo(concat(OK, payload));
            }
            assertThat(EchoServerIT.settled(server, datagrams).droppedTotal()).isZero();
            assertThat(server.stats().errors()).isZero();
            assertThat(notices).isEmpty();
        }
    }
}
