package dev.udpecho.bench;

import dev.udpecho.testing.Loopback;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An echo server (prefix {@code OK...}) that does something else to chosen sequence numbers of bench datagrams,
 * and counts what it did. Plain JDK socket, one thread.
 */
final class ImpairingEchoServer implements AutoCloseable {
    /** What to do to a datagram instead of answering it once, exactly. */
    enum Impairment {
        /** No reply. */
        DROP,
        /** Two replies. */
        DUPLICATE,
        /** The last byte of the reply flipped. */
        CORRUPT_PADDING,
        /** A byte of the header's check flipped. */
        CORRUPT_HEADER,
        /** The reply one byte short. */
        TRUNCATE,
        /** The reply sent {@link #LATE_MILLIS} later. */
        LATE,
        /** The reply held back, and sent just after the reply to the next datagram. */
        REORDER
    }

    static final long LATE_MILLIS = 400;
    private static final byte[] OK = Benches.OK;

    private final DatagramSocket socket;
    private final Map<Long, Impairment> pattern;
    private final Map<Impairment, AtomicLong> done = new EnumMap<>(Impairment.class);
    private final AtomicLong received = new AtomicLong();
    private final ArrayDeque<Delayed> late = new ArrayDeque<>();
    private final Thread thread;
    private DatagramPacket held;
    private volatile boolean closed;

    private record Delayed(long due, DatagramPacket packet) {
    }

    ImpairingEchoServer(Map<Long, Impairment> pattern) {
        this.pattern = Map.copyOf(pattern);
        for (Impairment i : Impairment.values()) {
            done.put(i, new AtomicLong());
        }
        this.socket = Loopback.socket("127.0.0.1", 5);
        this.thread = new Thread(this::serve, "impairing-echo");
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    long received() {
        return received.get();
    }

    /** @return how many times it did {@code what}. */
    long done(Impairment what) {
        return done.get(what).get();
    }

    private void serve() {
        byte[] buffer = new byte[65_536];
        DatagramPacket in = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                in.setLength(buffer.length);
                socket.receive(in);
                received.incrementAndGet();
                answer(Arrays.copyOf(buffer, in.getLength()), (InetSocketAddress) in.getSocketAddress());
            } catch (SocketTimeoutException e) {
                // check the late replies
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            try {
                while (!late.isEmpty() && late.peek().due() - System.nanoTime() <= 0) {
                    socket.send(late.poll().packet());
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answer(byte[] datagram, InetSocketAddress from) throws IOException {
        byte[] reply = Loopback.concat(OK, datagram);
        long sequence = datagram.length >= 8 ? ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN).getLong(0) : -1;
        Impairment what = pattern.get(sequence);
        if (what != null) {
            done.get(what).incrementAndGet();
        }
        DatagramPacket out = new DatagramPacket(reply, reply.length, from);
        if (what == null) {
            socket.send(out);
        } else {
            switch (what) {
                case DROP:
                    break;
                case DUPLICATE:
                    socket.send(out);
                    socket.send(out);
                    break;
                case CORRUPT_PADDING:
                    reply[reply.length - 1] ^= 1;
                    socket.send(out);
                    break;
                case CORRUPT_HEADER:
                    reply[OK.length + 16] ^= 0x40;
                    socket.send(out);
                    break;
                case TRUNCATE:
                    out.setLength(reply.length - 1);
                    socket.send(out);
                    break;
                case LATE:
                    late.add(new Delayed(System.nanoTime() + LATE_MILLIS * 1_000_000, out));
                    break;
                default:
                    held = out;
                    return; // sent after the next reply
            }
        }
        if (held != null) {
            socket.send(held);
            held = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
