package dev.udpecho.server;

import dev.udpecho.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
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

/**
 * Netty's side of a {@link Transport} for the server: its event loops, its channels, and the one thing Netty
 * will not send (an empty datagram). Kept here so that no Netty type shows in udpecho's public API.
 *
 * <p>Stateless; {@link #sendEmpty} may be called from any thread.
 */
final class NettyChannels {
    /** One byte, never sent: a zero-capacity buffer has no address for the native call. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(1);

    private NettyChannels() {
    }

    /** @param transport epoll or NIO. @return the factory for event loops that drive its channels. */
    static IoHandlerFactory ioHandlerFactory(Transport transport) {
        return requireNetty(transport) == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /**
     * @param transport epoll or NIO.
     * @param local     the address it will be bound to; an IPv6 address gives a dual-stack socket.
     * @return a new unbound datagram channel, not yet registered.
     */
    static DatagramChannel newChannel(Transport transport, InetAddress local) {
        SocketProtocolFamily family = local instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return requireNetty(transport) == Transport.EPOLL ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
    }

    /**
     * Sends a datagram with no payload. Netty's datagram channels skip empty buffers when writing, but an empty
     * datagram is a valid one (RFC 768), and a plain echo must answer one with one. On the event loop, call it
     * after flushing what is queued, so that replies to one peer stay in order.
     *
     * <p>The channel must not be connected: the JDK skips empty writes on connected datagram channels.
     *
     * @param channel an epoll or NIO datagram channel.
     * @param to      where to send it.
     * @throws IOException if the socket refuses it.
     */
    static void sendEmpty(Channel channel, InetSocketAddress to) throws IOException {
        if (channel instanceof EpollDatagramChannel) {
            ((Socket) ((EpollDatagramChannel) channel).fd()).sendTo(EMPTY, 0, 0, to.getAddress(), to.getPort());
        } else {
            java.nio.channels.DatagramChannel ch =
                    (java.nio.channels.DatagramChannel) ((AbstractNioChannel.NioUnsafe) channel.unsafe()).ch();
            ch.send(EMPTY.duplicate().limit(0), to);
        }
    }

    private static Transport requireNetty(Transport transport) {
        if (!transport.isNetty()) {
            throw new IllegalStateException(transport + " is not a Netty transport");
        }
        return transport;
    }
}
