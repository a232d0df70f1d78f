package dev.udpecho.bench;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * {@link BatchIo} over a connected JDK {@link DatagramChannel}, for where the native library does not load: one
 * system call per datagram, a selector to wait. Threading as {@link BatchIo}.
 */
public final class ChannelBatchIo implements BatchIo {
    /** Datagrams taken per {@link #receive}, as the native batch. */
    public static final int BATCH = 64;
    private static final int SOCKET_BUFFER = 4 << 20;

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer[] outgoing = new ByteBuffer[BATCH];
    private final ByteBuffer[] incoming = new ByteBuffer[BATCH];
    private final int[] lengths = new int[BATCH];
    private final int size;
    private final Consumer<SelectionKey> ignoreKey = key -> { };

    private ChannelBatchIo(DatagramChannel channel, Selector selector, int size, int replySize) {
        this.channel = channel;
        this.selector = selector;
        this.size = size;
        for (int i = 0; i < BATCH; i++) {
            outgoing[i] = DatagramFormat.buffer(size);
            // One byte more than a good reply, so a longer reply shows as longer.
            incoming[i] = DatagramFormat.buffer(replySize + 1);
        }
    }

    /**
     * @param server    the echo server.
     * @param size      bytes per datagram sent.
     * @param replySize bytes of a good reply.
     * @return a channel connected to {@code server}.
     * @throws IOException if it cannot be opened or connected.
     */
    public static ChannelBatchIo open(InetSocketAddress server, int size, int replySize) throws IOException {
        DatagramChannel channel = DatagramChannel.open(server.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        Selector selector = null;
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            channel.connect(server);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new ChannelBatchIo(channel, selector, size, replySize);
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            channel.close();
            throw e;
        }
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
    public int send(int count) throws IOException {
        int sent = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer b = outgoing[i];
            b.clear().limit(size);
            try {
                while (channel.write(b) == 0) {
                    Thread.onSpinWait(); // the send buffer is full: it drains at the speed of the link
                }
                sent++;
            } catch (PortUnreachableException e) {
                // an earlier datagram was refused; this one was not sent
            }
        }
        return sent;
    }

    @Override
    public int receive() throws IOException {
        int n = take();
        if (n == 0 && channel.isOpen()) {
            selector.select(ignoreKey, POLL_MILLIS);
            n = take();
        }
        return n;
    }

    @Override
    public int receiveQueued() throws IOException {
        return take();
    }

    /** The JDK's channels do not report receive times. */
    @Override
    public boolean receiveTimes() {
        return false;
    }

    @Override
    public long receivedAt(int i) {
        return NO_TIME;
    }

    private int take() throws IOException {
        int n = 0;
        try {
            while (n < BATCH) {
                ByteBuffer b = incoming[n];
                b.clear();
                if (channel.receive(b) == null) {
                    break;
                }
                lengths[n++] = b.position();
            }
        } catch (ClosedChannelException e) {
            return n;
        } catch (PortUnreachableException e) {
            if (n == 0) {
                throw e;
            }
        }
        return n;
    }

    @Override
    public ByteBuffer incoming(int i) {
        return incoming[i];
    }

    @Override
    public int length(int i) {
        return lengths[i];
    }

    @Override
    public void wake() {
        selector.wakeup();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }
}
