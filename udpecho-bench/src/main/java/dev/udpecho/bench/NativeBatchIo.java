package dev.udpecho.bench;

import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link BatchIo} over udpecho's native transport: a connected socket, one {@link DatagramRing} to send from
 * (one {@code sendmmsg} per batch) and one to receive into (one {@code recvmmsg}).
 *
 * <p>The send ring never receives, so its datagrams carry no address and the kernel takes the connected
 * route, with no route lookup per datagram. A batch of more than {@link #PLAIN_UP_TO} datagrams goes out
 * segmented where the kernel can ({@code UDP_SEGMENT}, as the server's replies, up to 64 datagrams or 64 KiB a
 * send; see {@link NativeSocket#SEGMENT_BY_DEFAULT}): the server receives the same datagrams, and the bench pays
 * for one packet's way through the stack instead of one per datagram. A smaller batch goes as plain datagrams,
 * one packet each, as the C reference client sends them. Threading as {@link BatchIo}.
 *
 * <p>Why small batches go plain: a server that does not ask for GRO gets the datagrams of a segmented send cut
 * apart on the way in, each holding its bytes in page fragments of the one large packet, and it works a little
 * more per datagram to read and free them than for a plain datagram. A plain datagram costs the bench more than
 * its share of a segmented send: sending every batch plain leaves it no time to spare. While it reads its replies
 * a few at a time it is keeping up, and can afford them; a bigger batch means replies piled up (the bench fell
 * behind, or the server answers a whole window at once, as udpecho's does), and segmented sends are then the
 * cheaper way for the bench, and those a server with GRO reads whole. Measured against the C server at 1472
 * bytes: 1.011× the rate with batches of up to 16 sent plain, at 0.993× the server's CPU per reply; level at 64
 * bytes; up to 8 was too few to show (docs/BENCHMARKS.md).
 */
public final class NativeBatchIo implements BatchIo {
    /** Datagrams per system call, as the C reference tools use. */
    public static final int BATCH = 64;
    /** The most datagrams a batch sends plain; a bigger one goes segmented (see the class comment). */
    public static final int PLAIN_UP_TO = 16;
    private static final int SOCKET_BUFFER = 4 << 20;

    private final NativeSocket socket;
    private final DatagramRing sendRing;
    private final DatagramRing receiveRing;
    private final ByteBuffer[] outgoing = new ByteBuffer[BATCH];
    private final ByteBuffer[] incoming = new ByteBuffer[BATCH];
    private final int size;

    private NativeBatchIo(NativeSocket socket, DatagramRing sendRing, DatagramRing receiveRing, int size) {
        this.socket = socket;
        this.sendRing = sendRing;
        this.receiveRing = receiveRing;
        this.size = size;
        for (int i = 0; i < BATCH; i++) {
            outgoing[i] = view(sendRing, i);
            incoming[i] = view(receiveRing, i);
        }
    }

    /**
     * @param server    the echo server.
     * @param size      bytes per datagram sent.
     * @param replySize bytes of a good reply; longer ones show as longer.
     * @return a socket connected to {@code server}.
     * @throws NativeIoException if the socket cannot be opened or connected.
     */
    public static NativeBatchIo open(InetSocketAddress server, int size, int replySize) throws NativeIoException {
        boolean ipv6 = server.getAddress() instanceof Inet6Address;
        NativeSocket socket = NativeSocket.open(ipv6);
        DatagramRing sendRing = null;
        try {
            socket.receiveTimeout(POLL_MILLIS);
            // Bursts of a full window must not overflow the socket; the kernel caps these at its maximum.
            socket.receiveBuffer(SOCKET_BUFFER);
            socket.sendBuffer(SOCKET_BUFFER);
            socket.connect(server.getAddress(), server.getPort());
            socket.segmentation(NativeSocket.SEGMENT_BY_DEFAULT);
            sendRing = new DatagramRing(BATCH, size, new byte[0], ipv6, false);
            return new NativeBatchIo(socket, sendRing, new DatagramRing(BATCH, replySize, new byte[0], ipv6, false), size);
        } catch (NativeIoException | RuntimeException e) {
            if (sendRing != null) {
                sendRing.close();
            }
            socket.close();
            throw e;
        }
    }

    private static ByteBuffer view(DatagramRing ring, int slot) {
        return ring.slot(slot).duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public int batch() {
        return BATCH;
    }

    @Override
    public ByteBuffer outgoing(int i) {
        return outgoing[i];
    }

    @Override
    public int send(int count) {
        for (int i = 0; i < count; i++) {
            sendRing.reply(i, size);
        }
        return sendRing.send(socket, count > PLAIN_UP_TO);
    }

    @Override
    public int receive() throws IOException {
        return receiveRing.receive(socket);
    }

    @Override
    public int receiveQueued() throws IOException {
        return receiveRing.receiveQueued(socket);
    }

    @Override
    public boolean receiveTimes() throws IOException {
        socket.receiveTimes(true);
        return true;
    }

    @Override
    public long receivedAt(int i) {
        long at = receiveRing.receivedAt(i);
        return at == DatagramRing.NO_TIME ? NO_TIME : at;
    }

    @Override
    public ByteBuffer incoming(int i) {
        return incoming[i];
    }

    @Override
    public int length(int i) {
        int length = receiveRing.length(i);
        return receiveRing.truncated(i) ? length + 1 : length;
    }

    @Override
    public void wake() {
        socket.shutdown();
    }

    @Override
    public void close() {
        socket.close();
        sendRing.close();
        receiveRing.close();
    }
}
