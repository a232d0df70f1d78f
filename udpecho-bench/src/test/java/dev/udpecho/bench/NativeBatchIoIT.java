package dev.udpecho.bench;

import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the native bench's batches leave: a small one as plain datagrams, a bigger one as one segmented send. Seen
 * from a receiving socket with GRO, to which a segmented send over loopback arrives whole (one read, its
 * datagrams together) and plain datagrams one by one.
 */
@Timeout(30)
class NativeBatchIoIT {
    private static final int SIZE = 100;

    @BeforeAll
    static void nativeLibrary() {
        Tools.requireNativeTransport();
    }

    @ParameterizedTest(name = "a batch of {0}")
    @ValueSource(ints = {2, NativeBatchIo.PLAIN_UP_TO, NativeBatchIo.PLAIN_UP_TO + 1, NativeBatchIo.BATCH})
    void aSmallBatchGoesAsPlainDatagramsABiggerOneSegmented(int count) throws Exception {
        try (NativeSocket receiver = NativeSocket.open(false);
             DatagramRing ring = new DatagramRing(NativeBatchIo.BATCH, 65_507, new byte[0], false, false)) {
            receiver.receiveTimeout(2000);
            receiver.receiveBuffer(4 << 20);
            receiver.bind(Loopback.address("127.0.0.1"), 0);
            assertThat(receiver.gro(true)).as("UDP_GRO (Linux 5.0)").isTrue();
            NativeBatchIo io = NativeBatchIo.open(
                    new InetSocketAddress(Loopback.address("127.0.0.1"), receiver.localPort()), SIZE, SIZE);
            try {
                for (int i = 0; i < count; i++) {
                    ByteBuffer out = io.outgoing(i);
                    for (int b = 0; b < SIZE; b++) {
                        out.put(b, (byte) (i + b));
                    }
                }
                assertThat(io.send(count)).isEqualTo(count);
            } finally {
                io.close();
            }

            // Read until every datagram came, or a read waited its timeout for nothing.
            List<Integer> perSlot = new ArrayList<>();
            int datagrams = 0;
            for (int reads; datagrams < count && (reads = ring.receive(receiver)) > 0; ) {
                for (int s = 0; s < reads; s++) {
                    perSlot.add(ring.datagrams(s));
                    for (int d = 0; d < ring.datagrams(s); d++, datagrams++) {
                        ByteBuffer payload = ring.payload(s, d);
                        assertThat(payload.remaining()).isEqualTo(SIZE);
                        assertThat(payload.get(payload.position() + 7)).isEqualTo((byte) (datagrams + 7));
                    }
                }
            }
            assertThat(datagrams).as("every datagram, in order").isEqualTo(count);
            if (count <= NativeBatchIo.PLAIN_UP_TO || !NativeSocket.SEGMENT_BY_DEFAULT) {
                assertThat(perSlot).as("plain datagrams, each on its own").hasSize(count).containsOnly(1);
            } else {
                assertThat(perSlot).as("one segmented send, merged whole").containsExactly(count);
                assertThat(ring.segmentSize(0)).isEqualTo(SIZE);
            }
        }
    }
}
