package dev.udpecho.proxy;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The proxy between real sockets: a client on loopback, the proxy, and an upstream that echoes each datagram
 * with the source it saw. Every wait is for an event (a count, a reply) and bounded.
 */
@Timeout(60)
class UdpProxyIT {
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private Upstream upstream;

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new Upstream();
    }

    @AfterEach
    void stopUpstream() {
        upstream.close();
    }

    @Test
    void eachClientHasItsOwnSessionAndGetsItsOwnReplies() throws Exception {
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address()).start();
             DatagramSocket a = client(); DatagramSocket b = client()) {
            String viaA = exchange(a, proxy, "from a");
            String viaB = exchange(b, proxy, "from b");
            assertThat(viaA).startsWith("from a|");
            assertThat(viaB).startsWith("from b|");
            assertThat(viaA.substring(7)).as("the upstream sees each client from its own port")
                    .isNotEqualTo(viaB.substring(7));
            assertThat(exchange(a, proxy, "again")).as("the same session again").isEqualTo("again|" + viaA.substring(7));
            assertThat(upstream.sources).hasSize(2);
            // The proxy counts a reply once it is sent, so the client may have it before the count says so.
            Await.until("the last reply to be counted", SETTLE, () -> proxy.stats().down().forwarded() >= 3);
            ProxyStats stats = proxy.stats();
            assertThat(stats.sessions()).isEqualTo(2);
            assertThat(stats.sessionsOpened()).isEqualTo(2);
            assertThat(stats.up().forwarded()).isEqualTo(3);
            assertThat(stats.down().forwarded()).isEqualTo(3);
        }
    }

    @Test
    void lossInOneDirectionIsThatLossEndToEnd() throws Exception {
        assertThat(lossEndToEnd("up-loss=10%", "seed=7")).isCloseTo(0.10, within(0.01));
        assertThat(lossEndToEnd("down-loss=10%", "seed=7")).isCloseTo(0.10, within(0.01));
    }

    @Test
    void bareLossAppliesToBothDirectionsIndependently() throws Exception {
        assertThat(lossEndToEnd("loss=10%", "seed=11")).isCloseTo(1 - 0.9 * 0.9, within(0.015));
    }

    @Test
    void duplicatesMultiplyAcrossDirections() throws Exception {
        Run up = run(3000, "up-duplicate=10%", "seed=5");
        assertThat(up.replies / 3000.0 - 1).as("extra replies, up only").isCloseTo(0.10, within(0.01));
        Run both = run(3000, "duplicate=10%", "seed=5");
        assertThat(both.replies / 3000.0 - 1).as("extra replies, both ways").isCloseTo(1.1 * 1.1 - 1, within(0.015));
    }

    @Test
    void theSameSeedGivesTheSameDecisions() throws Exception {
        Run first = run(1000, "loss=20%", "seed=42");
        Run again = run(1000, "loss=20%", "seed=42");
        Run other = run(1000, "loss=20%", "seed=43");
        assertThat(again.answered).isEqualTo(first.answered);
        assertThat(other.answered).isNotEqualTo(first.answered);
    }

    @Test
    void aDelayDownDelaysEveryReply() throws Exception {
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address()).impair("down-delay=150ms").start();
             DatagramSocket c = client()) {
            for (int i = 0; i < 3; i++) {
                long sent = System.nanoTime();
                exchange(c, proxy, "slow " + i);
                assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            }
            assertThat(proxy.stats().down().impaired(Impairment.DELAYED)).isEqualTo(3);
            assertThat(proxy.stats().up().impaired(Impairment.DELAYED)).isZero();
        }
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyUsedSoEveryNewClientIsServed() throws Exception {
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address()).maxSessions(100).start()) {
            // Every client keeps its socket to the end: a closed one's port could come back as a "new" client.
            java.util.List<DatagramSocket> clients = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    DatagramSocket c = client();
                    clients.add(c);
                    assertThat(exchange(c, proxy, "client " + i)).startsWith("client " + i + "|");
                    assertThat(proxy.stats().sessions()).as("sessions open").isLessThanOrEqualTo(100);
                }
            } finally {
                clients.forEach(DatagramSocket::close);
            }
            ProxyStats stats = proxy.stats();
            assertThat(stats.sessionsOpened()).isEqualTo(300);
            assertThat(stats.sessionsEvicted()).isEqualTo(200);
            assertThat(stats.sessions()).isEqualTo(100);
        }
    }

    @Test
    void anIdleSessionExpiresAndAReturningClientGetsANewOne() throws Exception {
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address())
                .sessionTimeout(Duration.ofMillis(200)).start(); DatagramSocket c = client()) {
            exchange(c, proxy, "first");
            Await.until("the session to expire", SETTLE, () -> proxy.stats().sessionsExpired() == 1);
            assertThat(proxy.stats().sessions()).isZero();
            exchange(c, proxy, "back");
            assertThat(proxy.stats().sessionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void changedImpairmentsTakeEffectOnTheNextDatagram() throws Exception {
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address()).start(); DatagramSocket c = client()) {
            exchange(c, proxy, "open");
            proxy.impairments(ProxyImpairments.parse("blackhole=up"));
            send(c, proxy, "cut");
            Await.until("the datagram to be blackholed", SETTLE, () -> proxy.stats().up().blackholed() == 1);
            proxy.impairments(ProxyImpairments.parse("down-loss=100%"));
            send(c, proxy, "lost");
            Await.until("the reply to be lost", SETTLE,
                    () -> proxy.stats().down().impaired(Impairment.LOST) == 1);
            proxy.impairments(ProxyImpairments.NONE);
            assertThat(exchange(c, proxy, "through")).as("nothing of the cut or the lost came back")
                    .startsWith("through|");
            assertThat(upstream.received).as("the cut one never reached the upstream").doesNotContain("cut");
        }
    }

    @Test
    void aRateLimitForwardsAtMostItsRate() throws Exception {
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address()).impair("up-rate=50").start();
             DatagramSocket c = client()) {
            for (int i = 0; i < 200; i++) {
                send(c, proxy, "burst " + i);
            }
            Await.until("the burst to be decided", SETTLE,
                    () -> proxy.stats().up().forwarded() + proxy.stats().up().rateLimited() == 200);
            ProxyStats stats = proxy.stats();
            // A bucket of one second's worth: about 50 go at once, the rest of a fast burst is limited.
            assertThat(stats.up().forwarded()).isBetween(50L, 70L);
            assertThat(stats.up().rateLimited()).isEqualTo(200 - stats.up().forwarded());
        }
    }

    @Test
    void anUpstreamThatRefusesIsCountedAndTheProxyGoesOn() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        try (UdpProxy proxy = UdpProxy.builder().upstream(nobody).start(); DatagramSocket c = client()) {
            for (int i = 0; i < 5; i++) {
                send(c, proxy, "anyone? " + i);
                int sent = i + 1;
                Await.until("datagram " + sent + " to be in", SETTLE, () -> proxy.stats().up().received() == sent);
            }
            Await.until("a refusal to be counted", SETTLE, () -> proxy.stats().up().errors() > 0);
            assertThat(proxy.isServing()).isTrue();
        }
    }

    @Test
    void aNoticeThatBlocksDoesNotHoldUpForwarding() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (UdpProxy proxy = UdpProxy.builder().upstream(nobody).notices(line -> {
            told.countDown();
            try {
                release.await(); // a log whose reader has stopped reading
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).start(); DatagramSocket c = client()) {
            for (int i = 0; i < 3 && told.getCount() > 0; i++) {
                send(c, proxy, "refused " + i);
                int sent = i + 1;
                Await.until("datagram " + sent + " to be in", SETTLE, () -> proxy.stats().up().received() == sent);
            }
            assertThat(told.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("a notice was given").isTrue();
            long before = proxy.stats().up().received();
            for (int i = 0; i < 100; i++) {
                send(c, proxy, "still forwarded " + i);
            }
            Await.until("100 more datagrams taken in while the notice blocks", SETTLE,
                    () -> proxy.stats().up().received() == before + 100);
        } finally {
            release.countDown();
        }
    }

    @Test
    void badOptionsAreRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyImpairments.parse("up-los=5%"))
                .hasMessageContaining("up-los").hasMessageContaining("unknown impairment");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyImpairments.parse("blackhole=sideways"))
                .hasMessageContaining("blackhole").hasMessageContaining("sideways");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyImpairments.parse("down-rate=-1"))
                .hasMessageContaining("down-rate");
        ProxyImpairments p = ProxyImpairments.parse("loss=5%", "down-loss=20%", "up-delay=10ms±2ms", "seed=3");
        assertThat(p.up().impairments().loss()).isEqualTo(0.05);
        assertThat(p.down().impairments().loss()).as("the direction's own over the bare one").isEqualTo(0.20);
        assertThat(ProxyImpairments.parse(p.toOptions())).as("its options read back").isEqualTo(p);
    }

    /** What came back of {@code n} datagrams numbered 0 to n − 1. */
    private record Run(BitSet answered, long replies) {
    }

    private double lossEndToEnd(String... options) throws Exception {
        Run r = run(4000, options);
        return 1 - r.answered.cardinality() / 4000.0;
    }

    /**
     * Sends {@code n} numbered datagrams through a new proxy in batches, and after each batch waits until the
     * proxy has passed on all it will, then takes those replies: nothing is lost for want of waiting, and no
     * kernel buffer overflows.
     */
    private Run run(int n, String... options) throws Exception {
        BitSet answered = new BitSet(n);
        long replies = 0;
        try (UdpProxy proxy = UdpProxy.builder().upstream(upstream.address()).impair(options).start();
             DatagramSocket c = client()) {
            byte[] buffer = new byte[64];
            for (int sent = 0; sent < n; ) {
                for (int b = 0; b < 50 && sent < n; b++, sent++) {
                    send(c, proxy, Integer.toString(sent));
                }
                int expected = sent;
                Await.until("the proxy to pass on all it will", SETTLE, () -> settled(proxy.stats(), expected));
                long forwarded = proxy.stats().down().forwarded();
                while (replies < forwarded) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    c.receive(p);
                    String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                    answered.set(Integer.parseInt(text.substring(0, text.indexOf('|'))));
                    replies++;
                }
            }
        }
        return new Run(answered, replies);
    }

    /** Whether every datagram sent so far went all the way it will (no impairment here waits). */
    private static boolean settled(ProxyStats s, int sent) {
        FlowStats up = s.up();
        FlowStats down = s.down();
        return up.received() == sent
                && up.forwarded() == up.received() - up.impaired(Impairment.LOST) + up.impaired(Impairment.DUPLICATED)
                && down.received() == up.forwarded()
                && down.forwarded() == down.received() - down.impaired(Impairment.LOST)
                + down.impaired(Impairment.DUPLICATED);
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(DatagramSocket c, UdpProxy proxy, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        c.send(new DatagramPacket(data, data.length, proxy.address()));
    }

    /** @return the reply's text; fails on a timeout or a reply from anywhere but the proxy. */
    private static String exchange(DatagramSocket c, UdpProxy proxy, String text) throws IOException {
        send(c, proxy, text);
        byte[] buffer = new byte[256];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            c.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply to '" + text + "' through " + proxy.address(), e);
        }
        assertThat(p.getSocketAddress()).as("the reply comes from the proxy's address").isEqualTo(proxy.address());
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    /** Echoes each datagram with {@code |} and the source port it came from; records what it saw. */
    private static final class Upstream implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        final Set<Integer> sources = ConcurrentHashMap.newKeySet();
        final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        final Thread thread = new Thread(this::run, "test-upstream");

        Upstream() throws IOException {
            socket.setReceiveBufferSize(4 << 20);
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        private void run() {
            byte[] buffer = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                    String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                    received.add(text);
                    sources.add(p.getPort());
                    byte[] reply = (text + "|" + p.getPort()).getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
