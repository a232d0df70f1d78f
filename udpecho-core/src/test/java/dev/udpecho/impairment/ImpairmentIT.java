package dev.udpecho.impairment;

import dev.udpecho.net.Transport;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.ServerStats;
import dev.udpecho.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** A server impairing its replies on purpose, seen from a client: rates, delays, and exact counts. */
@Timeout(120)
class ImpairmentIT {
    private static final int PREFIX = 5;

    /** What a client saw of {@code n} numbered datagrams. */
    private static final class Seen {
        final int[] copies;
        int outOfOrder;
        int corrupt;
        int truncated;

        Seen(int n) {
            copies = new int[n];
        }

        int missing() {
            return (int) Arrays.stream(copies).filter(c -> c == 0).count();
        }

        int duplicates() {
            return Arrays.stream(copies).map(c -> Math.max(0, c - 1)).sum();
        }

        BitSet lost() {
            BitSet b = new BitSet();
            for (int i = 0; i < copies.length; i++) {
                if (copies[i] == 0) {
                    b.set(i);
                }
            }
            return b;
        }
    }

    /**
     * Sends datagrams 0..n-1 (each its number and 24 bytes of pattern) in rounds of {@code window}, waiting for
     * the round's replies to stop coming before the next, so that nothing is lost but on purpose.
     */
    private static Seen exchange(EchoServer server, int n, int window, int quietMillis) throws Exception {
        Seen seen = new Seen(n);
        InetSocketAddress to = new InetSocketAddress(Loopback.address("127.0.0.1"), server.address().getPort());
        try (DatagramSocket client = Loopback.socket("127.0.0.1", quietMillis)) {
            int highest = -1;
            for (int start = 0; start < n; start += window) {
                for (int id = start; id < Math.min(n, start + window); id++) {
                    Loopback.send(client, datagram(id), to);
                }
                byte[] reply;
                while ((reply = Loopback.receive(client)) != null) {
                    if (reply.length < PREFIX + 32) {
                        seen.truncated++;
                        continue;
                    }
                    int id = ByteBuffer.wrap(reply, PREFIX, 4).getInt();
                    if (id < 0 || id >= n || !Arrays.equals(reply, PREFIX, reply.length, datagram(id), 0, 32)) {
                        seen.corrupt++;
                        continue;
                    }
                    seen.copies[id]++;
                    if (id < highest && seen.copies[id] == 1) {
                        seen.outOfOrder++;
                    }
                    highest = Math.max(highest, id);
                }
            }
        }
        return seen;
    }

    private static byte[] datagram(int id) {
        ByteBuffer b = ByteBuffer.allocate(32).putInt(id);
        for (int i = 4; i < 32; i++) {
            b.put((byte) (id * 31 + i));
        }
        return b.array();
    }

    private static EchoServer server(Transport transport, Impairments impairments) throws Exception {
        return EchoServer.builder().port(0).transport(transport).bind(Loopback.address("127.0.0.1"))
                .impairments(impairments).start();
    }

    /**
     * One semantics on every transport: the replies a client sees are exactly those that the seed's decisions
     * make of its datagrams, byte for byte and in order, as predicted here from the same seed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void everyTransportMakesExactlyTheSeedsDecisions(Transport transport) throws Exception {
        Impairments asked = Impairments.parse("loss=15%", "duplicate=15%", "corrupt=20%", "truncate=20%", "seed=12");
        int n = 600;
        int window = 50;
        List<byte[]> sent = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            sent.add(id % 50 == 7 ? new byte[0] : datagram(id)); // empty payloads too
        }
        List<String> expected = predict(asked, sent);
        List<String> seen = new ArrayList<>();
        try (EchoServer server = server(transport, asked);
             DatagramSocket client = Loopback.socket("127.0.0.1", 150)) {
            InetSocketAddress to = new InetSocketAddress(Loopback.address("127.0.0.1"), server.address().getPort());
            for (int start = 0; start < n; start += window) {
                for (int id = start; id < start + window; id++) {
                    Loopback.send(client, sent.get(id), to);
                }
                byte[] reply;
                while ((reply = Loopback.receive(client)) != null) {
                    seen.add(HexFormat.of().formatHex(reply));
                }
            }
            assertThat(seen).as("replies, in order").containsExactlyElementsOf(expected);
            ServerStats stats = server.stats();
            assertThat(stats.received()).isEqualTo(n);
            assertThat(stats.replied()).isEqualTo(expected.size());
        }
    }

    /** @return the replies that {@code asked} makes of {@code sent}, as hex, in order. */
    private static List<String> predict(Impairments asked, List<byte[]> sent) {
        Impairer impairer = new Impairer(asked, 0);
        byte[] prefix = "OK...".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<String> replies = new ArrayList<>();
        for (byte[] payload : sent) {
            int actions = impairer.decide();
            if (actions == Impairer.LOSE) {
                continue;
            }
            byte[] reply = Arrays.copyOf(prefix, prefix.length + payload.length);
            System.arraycopy(payload, 0, reply, prefix.length, payload.length);
            if ((actions & Impairer.CORRUPT) != 0 && payload.length > 0) {
                reply[prefix.length + impairer.corruptIndex(payload.length)] ^= impairer.corruptMask();
            }
            if ((actions & Impairer.TRUNCATE) != 0) {
                reply = Arrays.copyOf(reply, impairer.truncatedLength(reply.length));
            }
            String hex = HexFormat.of().formatHex(reply);
            replies.add(hex);
            if ((actions & Impairer.DUPLICATE) != 0) {
                replies.add(hex);
            }
        }
        return replies;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void lossAndDuplicatesComeAtTheRatesAskedAndAsCounted(Transport transport) throws Exception {
        Impairments asked = Impairments.builder().loss(0.05).duplicate(0.03).seed(862L).build();
        try (EchoServer server = server(transport, asked)) {
            int n = 20_000;
            Seen seen = exchange(server, n, 400, 40);
            ServerStats stats = server.stats();
            assertThat(seen.missing() / (double) n).as("loss rate").isCloseTo(0.05, offset(0.01));
            assertThat(seen.duplicates() / (double) (n - seen.missing())).as("duplicate rate").isCloseTo(0.03, offset(0.01));
            assertThat(stats.impaired(Impairment.LOST)).isEqualTo(seen.missing());
            assertThat(stats.impaired(Impairment.DUPLICATED)).isEqualTo(seen.duplicates());
            assertThat(stats.received()).isEqualTo(n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void theSameSeedLosesTheSameDatagrams(Transport transport) throws Exception {
        List<BitSet> patterns = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (EchoServer server = server(transport, Impairments.builder().loss(0.3).seed(42L).build())) {
                patterns.add(exchange(server, 2000, 200, 40).lost());
            }
        }
        assertThat(patterns.get(0).cardinality()).isBetween(500, 700);
        assertThat(patterns.get(1)).isEqualTo(patterns.get(0));
        try (EchoServer server = server(transport, Impairments.builder().loss(0.3).seed(43L).build())) {
            assertThat(exchange(server, 2000, 200, 40).lost()).isNotEqualTo(patterns.get(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void aDelayOf20msGivesAMedianRoundTripOf20To22ms(Transport transport) throws Exception {
        try (EchoServer server = server(transport, Impairments.builder().delay(Duration.ofMillis(20)).jitter(Duration.ZERO).build());
             DatagramSocket client = Loopback.socket("127.0.0.1", 2000)) {
            InetSocketAddress to = new InetSocketAddress(Loopback.address("127.0.0.1"), server.address().getPort());
            long[] rtt = new long[60];
            for (int i = 0; i < rtt.length; i++) {
                long start = System.nanoTime();
                Loopback.send(client, datagram(i), to);
                assertThat(Loopback.receive(client)).isNotNull();
                rtt[i] = System.nanoTime() - start;
            }
            Arrays.sort(rtt);
            double medianMillis = rtt[rtt.length / 2] / 1e6;
            assertThat(medianMillis).isBetween(20.0, 22.0);
            assertThat(server.stats().impaired(Impairment.DELAYED)).isEqualTo(rtt.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void damageIsCountedAsDone(Transport transport) throws Exception {
        Impairments asked = Impairments.builder().corrupt(0.1).truncate(0.1).seed(5L).build();
        try (EchoServer server = server(transport, asked)) {
            Seen seen = exchange(server, 5000, 250, 40);
            ServerStats stats = server.stats();
            assertThat(stats.impaired(Impairment.TRUNCATED)).isBetween(350L, 650L);
            // A truncated reply may be corrupted too: it counts as truncated here.
            assertThat(seen.truncated).isEqualTo(stats.impaired(Impairment.TRUNCATED));
            assertThat(seen.corrupt).isLessThanOrEqualTo((int) stats.impaired(Impairment.CORRUPTED)).isPositive();
            assertThat(seen.missing()).isEqualTo(seen.truncated + seen.corrupt);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void reorderedRepliesArriveAfterTheNextOne(Transport transport) throws Exception {
        try (EchoServer server = server(transport, Impairments.builder().reorder(0.2).seed(9L).build())) {
            Seen seen = exchange(server, 1500, 100, 150);
            assertThat(seen.missing()).as("held back, never lost").isZero();
            long reordered = server.stats().impaired(Impairment.REORDERED);
            assertThat(reordered).isBetween(220L, 380L);
            assertThat(seen.outOfOrder).isPositive().isLessThanOrEqualTo((int) reordered);
        }
    }

    @Test
    void waitingRepliesAreBoundedAndTheRestCounted() throws Exception {
        Impairments asked = Impairments.builder().delay(Duration.ofMillis(300)).jitter(Duration.ZERO).maxDelayed(10).build();
        try (EchoServer server = server(Transport.best(), asked)) {
            Seen seen = exchange(server, 100, 100, 800);
            assertThat(100 - seen.missing()).isEqualTo(10);
            assertThat(server.stats().impaired(Impairment.OVERFLOWED)).isEqualTo(90);
            assertThat(server.stats().impaired(Impairment.DELAYED)).isEqualTo(10);
        }
    }
}
