package dev.udpecho.client;

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
 * The client's Netty channels: epoll where Netty's epoll loads, NIO elsewhere (the native transport is the
 * server's only). Netty stays an implementation detail of the client; no Netty type shows in its API.
 *
 * <p>Stateless; used on the client's event loop.
 */
final class ClientChannels {
    /** One byte, never sent: a zero-capacity buffer has no address for the native call. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(1);

    private final boolean epoll;

    /** @param transport the transport asked for; native gives the best of Netty's. */
    ClientChannels(Transport transport) {
        this.epoll = transport.netty() == Transport.EPOLL;
    }

    IoHandlerFactory ioHandlerFactory() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** @param server where it will send; its family is the channel's. @return a new unbound channel. */
    DatagramChannel newChannel(InetAddress server) {
        SocketProtocolFamily family = server instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
    }

    /**
     * Sends an empty datagram, which Netty's channels skip when written (RFC 768 allows it, and an echo answers
     * one with one).
     */
    void sendEmpty(Channel channel, InetSocketAddress to) throws IOException {
        if (epoll) {
            ((Socket) ((EpollDatagramChannel) channel).fd()).sendTo(EMPTY, 0, 0, to.getAddress(), to.getPort());
        } else {
            ((java.nio.channels.DatagramChannel) ((AbstractNioChannel.NioUnsafe) channel.unsafe()).ch())
                    .send(EMPTY.duplicate().limit(0), to);
        }
    }
}
