package dev.udpecho.net;

import dev.udpecho.nativeio.NativeLibrary;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.util.Locale;

/**
 * The one place where the I/O transport is chosen: udpecho's own native datagram loop on Linux x86_64
 * (batched recvmmsg/sendmmsg, nothing allocated per datagram, replies from the address each request was sent
 * to), Netty's native epoll elsewhere on Linux, and the portable JDK NIO transport everywhere else.
 *
 * <p>Stateless and safe to use from any thread.
 */
public enum Transport {
    /** udpecho's JNI library: blocking recvmmsg/sendmmsg on a ring of slots, one thread per socket. Servers only. */
    NATIVE,
    /** Linux epoll through Netty's native library. */
    EPOLL,
    /** JDK NIO selector: works on every platform. */
    NIO;

    /** One byte, never sent: a zero-capacity buffer has no address for the native call. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(1);

    /** @return the fastest transport that can run here. */
    public static Transport best() {
        return NativeLibrary.isAvailable() ? NATIVE : bestNetty();
    }

    /** @return {@link #EPOLL} where Netty's epoll library loads, otherwise {@link #NIO}. */
    public static Transport bestNetty() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** @return this transport if it is one of Netty's, otherwise the best of Netty's (clients use Netty). */
    public Transport netty() {
        return this == NATIVE ? bestNetty() : this;
    }

    /** @return whether this is one of Netty's transports, used through channels and event loops. */
    public boolean isNetty() {
        return this != NATIVE;
    }

    /**
     * Parses {@code auto}, {@code native}, {@code epoll} or {@code nio}.
     *
     * @param name the transport's name, case-insensitive.
     * @return the transport; {@code auto} gives {@link #best()}.
     * @throws IllegalArgumentException for an unknown name, or epoll where it is not available.
     */
    public static Transport parse(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "auto":
                return best();
            case "native":
                if (!NativeLibrary.isAvailable()) {
                    throw new IllegalArgumentException("native transport is not available here: "
                            + NativeLibrary.unavailabilityCause().getMessage());
                }
                return NATIVE;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException("epoll transport is not available here: "
                            + Epoll.unavailabilityCause().getMessage());
                }
                return EPOLL;
            case "nio":
                return NIO;
            default:
                throw new IllegalArgumentException("unknown transport '" + name + "' (auto, native, epoll or nio)");
        }
    }

    /** @return whether this transport can run on this machine. */
    public boolean isAvailable() {
        switch (this) {
            case NATIVE:
                return NativeLibrary.isAvailable();
            case EPOLL:
                return Epoll.isAvailable();
            default:
                return true;
        }
    }

    /** @return the factory for event loops that drive this transport's channels. */
    public IoHandlerFactory ioHandlerFactory() {
        requireNetty();
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    private void requireNetty() {
        if (!isNetty()) {
            throw new IllegalStateException(this + " is not a Netty transport");
        }
    }

    /**
     * Creates an unbound datagram socket of the family that suits {@code local}.
     *
     * @param local the address it will be bound to; an IPv6 address gives a dual-stack socket.
     * @return a new channel, not yet registered.
     */
    public DatagramChannel newChannel(InetAddress local) {
        requireNetty();
        SocketProtocolFamily family = local instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return this == EPOLL ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
    }

    /**
     * Sends a datagram with no payload. Netty's datagram channels skip empty buffers when writing, but an empty
     * datagram is a valid one (RFC 768), and a plain echo must answer one with one. Call on the channel's event
     * loop, after flushing what is queued, so that replies to one peer stay in order.
     *
     * <p>The channel must not be connected: the JDK skips empty writes on connected datagram channels.
     *
     * @param channel a datagram channel of this transport.
     * @param to      where to send it.
     * @throws IOException if the socket refuses it.
     */
    public void sendEmpty(Channel channel, InetSocketAddress to) throws IOException {
        if (channel instanceof EpollDatagramChannel) {
            ((Socket) ((EpollDatagramChannel) channel).fd()).sendTo(EMPTY, 0, 0, to.getAddress(), to.getPort());
        } else {
            SelectableChannel ch = ((AbstractNioChannel.NioUnsafe) channel.unsafe()).ch();
            ((java.nio.channels.DatagramChannel) ch).send(EMPTY.duplicate().limit(0), to);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
