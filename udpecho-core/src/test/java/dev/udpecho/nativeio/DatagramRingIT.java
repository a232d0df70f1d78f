package dev.udpecho.nativeio;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JNI layer on its own: sockets, batched receive and send, addresses, errors. */
@Timeout(30)
class DatagramRingIT {

    @BeforeAll
    static void nativeLibrary() {
        Tools.requireNativeTransport();
    }

    @Test
    void aServerRingReceivesABatchAndRepliesFromTheSlots() throws Exception {
        byte[] prefix = "OK...".getBytes(StandardCharsets.US_ASCII);
        try (NativeSocket socket = NativeSocket.open(true);
             DatagramRing ring = new DatagramRing(8, 2000, prefix, true, true);
             DatagramSocket client = Loopback.socket("127.0.0.1", 3000)) {
            socket.v6Only(false);
            socket.packetInfo(true);
            socket.receiveTimeout(2000);
            socket.bind(Loopback.address("::"), 0);
            InetSocketAddress server = new InetSocketAddress(Loopback.address("127.0.0.1"), socket.localPort());
            for (int i = 0; i < 5; i++) {
                Loopback.send(client, ("d" + i).getBytes(StandardCharsets.US_ASCII), server);
            }
            // A loopback send returns once the datagram is in the receiver's queue: all five are there.
            int n = ring.receive(socket);
            assertThat(n).isEqualTo(5);
            PeerAddress source = new PeerAddress();
            PeerAddress destination = new PeerAddress();
            for (int i = 0; i < n; i++) {
                assertThat(ring.length(i)).isEqualTo(2);
                assertThat(StandardCharsets.US_ASCII.decode(ring.payload(i)).toString()).isEqualTo("d" + i);
                ring.source(i, source);
                assertThat(source.isIpv4()).as("IPv4-mapped sources are IPv4").isTrue();
                assertThat(source.port()).isEqualTo(client.getLocalPort());
                assertThat(ring.destination(i, destination)).isTrue();
                assertThat(destination.toInetAddress().getHostAddress()).isEqualTo("127.0.0.1");
                assertThat(ring.truncated(i)).isFalse();
                ring.reply(n - 1 - i, 2); // in another order, to show each reply goes from its own slot
            }
            assertThat(ring.send(socket)).isEqualTo(5);
            assertThat(ring.lastSentBytes()).isEqualTo(5 * 7);
            for (int i = 4; i >= 0; i--) {
                assertThat(new String(Loopback.receive(client), StandardCharsets.US_ASCII)).isEqualTo("OK...d" + i);
            }
        }
    }

    @Test
    void aClientRingSendsFromConnectedSlots() throws Exception {
        try (NativeSocket socket = NativeSocket.open(false);
             DatagramRing ring = new DatagramRing(4, 100, new byte[0], false, false);
             DatagramSocket peer = Loopback.socket("127.0.0.1", 3000)) {
            socket.receiveTimeout(2000);
            socket.bind(Loopback.address("127.0.0.1"), 0);
            socket.connect(Loopback.address("127.0.0.1"), peer.getLocalPort());
            for (int i = 0; i < 3; i++) {
                ring.slot(i).put(("m" + i).getBytes(StandardCharsets.US_ASCII));
                ring.reply(i, 2);
            }
            ring.reply(0, 0); // an empty datagram is a datagram too
            assertThat(ring.send(socket)).isEqualTo(4);
            InetSocketAddress[] from = new InetSocketAddress[1];
            for (int i = 0; i < 3; i++) {
                assertThat(new String(Loopback.receiveFrom(peer, from), StandardCharsets.US_ASCII)).isEqualTo("m" + i);
            }
            assertThat(Loopback.receive(peer)).isEmpty();
            Loopback.send(peer, "back".getBytes(StandardCharsets.US_ASCII), from[0]);
            assertThat(ring.receive(socket)).isEqualTo(1);
            assertThat(StandardCharsets.US_ASCII.decode(ring.payload(0)).toString()).isEqualTo("back");
        }
    }

    /**
     * A segmented send over loopback reaches a socket with GRO whole: one slot, its datagrams each answered from
     * where it lies (the prefix, then its bytes), more replies than the send list holds, sent in two goes, with
     * and without segmenting the replies. The sender's socket has no GRO, so it reads each reply on its own.
     */
    @ParameterizedTest(name = "replies segmented: {0}")
    @ValueSource(booleans = {true, false})
    void datagramsMergedOnTheWayInAreHandedOverAndAnsweredOneByOne(boolean segmentReplies) throws Exception {
        byte[] prefix = "OK...".getBytes(StandardCharsets.US_ASCII);
        int count = 11;
        try (NativeSocket server = NativeSocket.open(false);
             DatagramRing serverRing = new DatagramRing(4, 65_507, prefix, false, false);
             NativeSocket client = NativeSocket.open(false);
             DatagramRing clientRing = new DatagramRing(16, 2000, new byte[0], false, false)) {
            server.receiveTimeout(2000);
            server.bind(Loopback.address("127.0.0.1"), 0);
            assertThat(server.gro(true)).as("UDP_GRO (Linux 5.0)").isTrue();
            server.segmentation(segmentReplies);
            client.receiveTimeout(2000);
            client.bind(Loopback.address("127.0.0.1"), 0);
            client.connect(Loopback.address("127.0.0.1"), server.localPort());
            assertThat(client.segmentation(true)).as("UDP_SEGMENT (Linux 4.18)").isTrue();
            String[] sent = new String[count];
            for (int i = 0; i < count; i++) {
                // ten of 100 bytes, then a shorter one: only the last of a run may be shorter
                sent[i] = pad("m" + i + "-", i < count - 1 ? 100 : 30);
                clientRing.slot(i).put(sent[i].getBytes(StandardCharsets.US_ASCII));
                clientRing.reply(i, sent[i].length());
            }
            assertThat(clientRing.send(client)).isEqualTo(count);

            assertThat(serverRing.receive(server)).as("one slot").isEqualTo(1);
            assertThat(serverRing.length(0)).isEqualTo(10 * 100 + 30);
            assertThat(serverRing.datagrams(0)).isEqualTo(count);
            assertThat(serverRing.segmentSize(0)).isEqualTo(100);
            int bytes = 0;
            for (int d = 0; d < count; d++) {
                ByteBuffer payload = serverRing.payload(0, d);
                assertThat(StandardCharsets.US_ASCII.decode(payload.duplicate()).toString()).isEqualTo(sent[d]);
                if (serverRing.replyRoom() == 0) {
                    assertThat(serverRing.send(server)).isEqualTo(2 * serverRing.capacity());
                    bytes += serverRing.lastSentBytes();
                }
                // one cut to the prefix, one within it (as a truncating impairment may)
                int length = d == 3 ? prefix.length : d == 5 ? 3 : prefix.length + payload.remaining();
                serverRing.replyBytes(0, d, length);
            }
            assertThat(serverRing.send(server)).isEqualTo(count - 2 * serverRing.capacity());
            bytes += serverRing.lastSentBytes();
            assertThatThrownBy(() -> serverRing.replyBytes(0, count, prefix.length))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> serverRing.replyBytes(0, 1, 65_507)).isInstanceOf(IllegalArgumentException.class);

            List<String> replies = new ArrayList<>();
            for (int n; replies.size() < count && (n = clientRing.receive(client)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    assertThat(clientRing.datagrams(i)).as("no GRO on the client's socket").isEqualTo(1);
                    replies.add(StandardCharsets.US_ASCII.decode(clientRing.payload(i)).toString());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int d = 0; d < count; d++) {
                expected.add(d == 3 ? "OK..." : d == 5 ? "OK." : "OK..." + sent[d]);
            }
            assertThat(replies).containsExactlyElementsOf(expected);
            assertThat(bytes).as("bytes sent").isEqualTo(expected.stream().mapToInt(String::length).sum());
        }
    }

    private static String pad(String s, int length) {
        return s + "x".repeat(length - s.length());
    }

    @Test
    void receiveTimesAreTheKernelsInTheTermsOfNanoTime() throws Exception {
        try (NativeSocket socket = NativeSocket.open(false);
             DatagramRing ring = new DatagramRing(8, 100, new byte[0], false, false);
             DatagramSocket peer = Loopback.socket("127.0.0.1", 3000)) {
            socket.receiveTimeout(10_000);
            socket.bind(Loopback.address("127.0.0.1"), 0);
            InetSocketAddress to = new InetSocketAddress(Loopback.address("127.0.0.1"), socket.localPort());
            Loopback.send(peer, "untimed".getBytes(StandardCharsets.US_ASCII), to);
            assertThat(ring.receive(socket)).isEqualTo(1);
            assertThat(ring.receivedAt(0)).as("not asked for").isEqualTo(DatagramRing.NO_TIME);

            socket.receiveTimes(true);
            long[] sentAt = new long[3];
            for (int i = 0; i < sentAt.length; i++) {
                sentAt[i] = System.nanoTime();
                // A loopback send returns once the datagram is queued: the kernel timed it within the call.
                Loopback.send(peer, ("t" + i).getBytes(StandardCharsets.US_ASCII), to);
            }
            assertThat(ring.receiveQueued(socket)).isEqualTo(3);
            long takenAt = System.nanoTime();
            // Not "before the next send": on a loaded machine the kernel may time a datagram in ksoftirqd,
            // after the send that queued it has returned. It is never before its send, nor after we took it.
            for (int i = 0; i < 3; i++) {
                long at = ring.receivedAt(i);
                assertThat(at).as("datagram %d, received after its send and before we took it", i)
                        .isBetween(sentAt[i], takenAt);
                if (i > 0) {
                    assertThat(at).as("datagram %d, in order", i).isGreaterThanOrEqualTo(ring.receivedAt(i - 1));
                }
            }
        }
    }

    @Test
    void aQueuedReceiveTakesWhatIsThereWithoutWaiting() throws Exception {
        try (NativeSocket socket = NativeSocket.open(false);
             DatagramRing ring = new DatagramRing(4, 100, new byte[0], false, false);
             DatagramSocket peer = Loopback.socket("127.0.0.1", 3000)) {
            socket.receiveTimeout(10_000);
            socket.bind(Loopback.address("127.0.0.1"), 0);
            long start = System.nanoTime();
            assertThat(ring.receiveQueued(socket)).as("nothing queued").isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).as("not the 10 s timeout").isLessThan(5_000);
            InetSocketAddress to = new InetSocketAddress(Loopback.address("127.0.0.1"), socket.localPort());
            for (int i = 0; i < 6; i++) {
                Loopback.send(peer, ("q" + i).getBytes(StandardCharsets.US_ASCII), to);
            }
            assertThat(ring.receiveQueued(socket)).as("a batch").isEqualTo(4);
            assertThat(StandardCharsets.US_ASCII.decode(ring.payload(3)).toString()).isEqualTo("q3");
            assertThat(ring.receiveQueued(socket)).as("the rest").isEqualTo(2);
            assertThat(StandardCharsets.US_ASCII.decode(ring.payload(1)).toString()).isEqualTo("q5");
            assertThat(ring.receiveQueued(socket)).isZero();
        }
    }

    @Test
    void aReceiveTimesOutWithNothingAndAShutdownWakesIt() throws Exception {
        try (NativeSocket socket = NativeSocket.open(false);
             DatagramRing ring = new DatagramRing(4, 100, new byte[0], false, false)) {
            socket.receiveTimeout(50);
            socket.bind(Loopback.address("127.0.0.1"), 0);
            assertThat(ring.receive(socket)).isZero();
            socket.receiveTimeout(10_000);
            Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(100); // most likely blocked in receive by then; either way it must return
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                socket.shutdown();
            });
            waker.start();
            long start = System.nanoTime();
            assertThat(ring.receive(socket)).isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            waker.join();
        }
    }

    @Test
    void errorsCarryTheSystemsWords() throws Exception {
        try (NativeSocket first = NativeSocket.open(false); NativeSocket second = NativeSocket.open(false)) {
            first.bind(Loopback.address("127.0.0.1"), 0);
            assertThatThrownBy(() -> second.bind(Loopback.address("127.0.0.1"), first.localPort()))
                    .isInstanceOf(NativeIoException.class).hasMessage("Address already in use");
            assertThat(second.receiveBuffer(64 * 1024)).isEqualTo(128 * 1024);
        }
    }
}
