package dev.udpecho.bench;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Await;
import dev.udpecho.testing.Dnsmasq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The prober against real servers on loopback: udpecho's echo server (with loss on purpose), a port where
 * nothing listens, and targets found in a DNS server nobody on the team wrote (dnsmasq) as its records change.
 */
@Timeout(60)
class ProberIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @Test
    void theLossCounterReadsTheServersLoss() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).bind(LOOPBACK)
                .impairments(Impairments.parse("loss=20%", "seed=3")).start();
             Prober prober = Prober.builder().target("lossy", server.address()).interval(Duration.ofMillis(2))
                     .timeout(Duration.ofMillis(20)).start()) {
            // A reply counts when it comes, a loss when the timeout has passed: a short timeout keeps the
            // probes whose loss is not yet known to a handful of the 2000.
            Await.until("2000 probes decided", SETTLE, () -> decided(only(prober)) >= 2000);
            ProbeStats s = only(prober);
            double serverLoss = 100.0 * server.stats().impaired(dev.udpecho.impairment.Impairment.LOST)
                    / server.stats().received();
            double loss = 100.0 * s.lost() / decided(s);
            assertThat(loss).as("loss in percent of %s", s).isCloseTo(20.0, within(2.0));
            assertThat(loss).as("the server's own count of replies it lost, %.2f%%", serverLoss)
                    .isCloseTo(serverLoss, within(1.0));
            assertThat(s.corrupt() + s.duplicated() + s.late()).isZero();
            assertThat(java.util.Arrays.stream(s.buckets()).sum()).as("every reply in a bucket")
                    .isEqualTo(s.replies());
        }
    }

    @Test
    void aTargetWithNothingListeningIsDownAndOneThatRecoversIsUpAgain() throws Exception {
        Duration interval = Duration.ofMillis(300);
        int port = freePort();
        InetSocketAddress target = new InetSocketAddress(LOOPBACK, port);
        try (Prober prober = Prober.builder().target("nobody", target).interval(interval).start()) {
            long started = System.nanoTime();
            Await.until("a lost probe", SETTLE, () -> only(prober).lost() > 0);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            ProbeStats down = only(prober);
            assertThat(took).as("lost within 3 intervals").isLessThan(interval.multipliedBy(3));
            assertThat(down.up()).isFalse();
            assertThat(down.replies()).as("100% loss").isZero();
            assertThat(down.refused()).as("the host said nothing listens").isPositive();

            try (EchoServer server = EchoServer.builder().port(port).bind(LOOPBACK).start()) {
                Await.until("up again", SETTLE, () -> only(prober).up());
                assertThat(only(prober).replies()).isPositive();
                assertThat(server.stats().received()).isPositive();
            }
            long refusedBefore = only(prober).refused();
            started = System.nanoTime();
            Await.until("down once the server is gone", SETTLE, () -> !only(prober).up());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("down within 3 intervals")
                    .isLessThan(interval.multipliedBy(3));
            assertThat(only(prober).refused()).isGreaterThan(refusedBefore);
        }
    }

    @Test
    void garbageFromATargetIsCountedAndTheRealRepliesStillCount() throws Exception {
        try (DatagramSocket liar = new DatagramSocket(0, LOOPBACK)) {
            liar.setSoTimeout(100);
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[2048];
                java.util.Random random = new java.util.Random(1);
                while (!liar.isClosed()) {
                    java.net.DatagramPacket p = new java.net.DatagramPacket(buffer, buffer.length);
                    try {
                        liar.receive(p);
                        byte[] noise = new byte[64];
                        random.nextBytes(noise);
                        for (byte[] garbage : new byte[][] {new byte[0], {1, 2, 3}, noise, new byte[65_507]}) {
                            liar.send(new java.net.DatagramPacket(garbage, garbage.length, p.getSocketAddress()));
                        }
                        byte[] reply = new byte[5 + p.getLength()];
                        System.arraycopy("OK...".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, reply, 0, 5);
                        System.arraycopy(p.getData(), 0, reply, 5, p.getLength());
                        liar.send(new java.net.DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (java.net.SocketTimeoutException e) {
                        // look again whether the test is over
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-liar");
            t.setDaemon(true);
            t.start();
            try (Prober prober = Prober.builder().target("liar", (InetSocketAddress) liar.getLocalSocketAddress())
                    .interval(Duration.ofMillis(20)).start()) {
                Await.until("20 replies", SETTLE, () -> only(prober).replies() >= 20);
                ProbeStats s = only(prober);
                assertThat(s.corrupt()).as("four bad datagrams per probe answered").isGreaterThanOrEqualTo(4 * 20);
                assertThat(s.up()).isTrue();
                assertThat(s.lost()).isZero();
                assertThat(prober.isRunning()).isTrue();
            }
        }
    }

    @Test
    void stampProbesAreAnsweredByAStampReflector() throws Exception {
        try (EchoServer reflector = EchoServer.builder().port(0).bind(LOOPBACK).protocol(Protocol.STAMP).start();
             Prober prober = Prober.builder().target("router", reflector.address()).protocol(Protocol.STAMP)
                     .interval(Duration.ofMillis(20)).start()) {
            Await.until("10 replies", SETTLE, () -> only(prober).replies() >= 10);
            assertThat(only(prober).up()).isTrue();
            assertThat(only(prober).corrupt()).isZero();
        }
    }

    @Test
    void targetsFromDnsFollowTheRecords(@TempDir Path hosts) throws Exception {
        String name = "mesh.udpecho.test";
        Path file = hosts.resolve("mesh");
        Files.writeString(file, "127.0.0.2 " + name + "\n");
        try (EchoServer a = EchoServer.builder().port(0).bind(InetAddress.getByName("127.0.0.2")).start()) {
            int port = a.address().getPort();
            try (EchoServer b = EchoServer.builder().port(port).bind(InetAddress.getByName("127.0.0.3")).start();
                 Dnsmasq dns = Dnsmasq.startWithHosts(hosts, name, "127.0.0.2");
                 Prober prober = Prober.builder().interval(Duration.ofMillis(50))
                         .discover(() -> TargetFinder.fromDns(name, port,
                                 new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofMillis(100))
                         .start()) {
                Await.until("one target, up", SETTLE, () -> names(prober).equals(Set.of("127.0.0.2:" + port))
                        && prober.stats().get(0).up());

                Files.writeString(file, "127.0.0.2 " + name + "\n127.0.0.3 " + name + "\n");
                Await.until("the added record probed and up", SETTLE,
                        () -> names(prober).equals(Set.of("127.0.0.2:" + port, "127.0.0.3:" + port))
                                && prober.stats().stream().allMatch(ProbeStats::up));
                assertThat(b.stats().received()).as("probed at the added address").isPositive();

                Files.writeString(file, "127.0.0.3 " + name + "\n");
                Await.until("the removed record dropped", SETTLE,
                        () -> names(prober).equals(Set.of("127.0.0.3:" + port)));
                assertThat(prober.discoveryErrors()).isZero();
                assertThat(prober.isRunning()).isTrue();
            }
        }
    }

    @Test
    void aFailedLookupKeepsTheTargetsItFoundAndIsCounted() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).bind(LOOPBACK).start()) {
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            try (Prober prober = Prober.builder().interval(Duration.ofMillis(20)).discover(() -> {
                if (asked.incrementAndGet() == 1) {
                    return List.of(new Prober.Target("found", server.address()));
                }
                throw new javax.naming.CommunicationException("the DNS server did not answer");
            }, Duration.ofMillis(50)).start()) {
                // The prober's thread takes up what a lookup found at its next turn: on a loaded machine that may be
                // after the next lookups have failed, so wait for both before asking what stayed.
                Await.until("the target found, taken up", SETTLE, () -> names(prober).equals(Set.of("found")));
                Await.until("3 failed lookups", SETTLE, () -> prober.discoveryErrors() >= 3);
                assertThat(names(prober)).as("what the first lookup found stays").containsExactly("found");
                Await.until("still probed", SETTLE, () -> prober.stats().get(0).replies() >= 5);
            }
        }
    }

    @Test
    void targetsAreReadFromAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("targets");
        Files.writeString(file, "# mesh\n127.0.0.1:8888\n\nlocalhost   # the default port\n[::1]:9000\n");
        List<Prober.Target> targets = TargetFinder.fromFile(file, 7777);
        assertThat(targets).extracting(Prober.Target::name)
                .containsExactly("127.0.0.1:8888", "localhost:7777", "[::1]:9000");
        assertThat(targets.get(2).address().getPort()).isEqualTo(9000);
        Files.writeString(file, "127.0.0.1:99999\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TargetFinder.fromFile(file, 7777))
                .hasMessageContaining(file + ":1").hasMessageContaining("not a port");
    }

    private static ProbeStats only(Prober prober) {
        List<ProbeStats> all = prober.stats();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static long decided(ProbeStats s) {
        return s.replies() + s.lost();
    }

    private static Set<String> names(Prober prober) {
        return prober.stats().stream().map(ProbeStats::target).collect(Collectors.toSet());
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            return s.getLocalPort();
        }
    }
}
