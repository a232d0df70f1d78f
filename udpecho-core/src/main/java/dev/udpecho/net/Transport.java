package dev.udpecho.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * The one place where the I/O transport is chosen: Linux native epoll where its library loads,
 * the portable JDK NIO transport everywhere else.
 *
 * <p>Stateless and safe to use from any thread.
 */
public enum Transport {
    /** Linux epoll through Netty's native library: recvmmsg/sendmmsg, SO_REUSEPORT. */
    EPOLL,
    /** JDK NIO selector: works on every platform. */
    NIO;

    /** @return {@link #EPOLL} when the native library is usable here, otherwise {@link #NIO}. */
    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * Parses {@code auto}, {@code epoll} or {@code nio}.
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
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException("epoll transport is not available here: "
                            + Epoll.unavailabilityCause().getMessage());
                }
                return EPOLL;
            case "nio":
                return NIO;
            default:
                throw new IllegalArgumentException("unknown transport '" + name + "' (auto, epoll or nio)");
        }
    }

    /** @return whether this transport can run on this machine. */
    public boolean isAvailable() {
        return this == NIO || Epoll.isAvailable();
    }

    /** @return the factory for event loops that drive this transport's channels. */
    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /**
     * Creates an unbound datagram socket of the family that suits {@code local}.
     *
     * @param local the address it will be bound to; an IPv6 address gives a dual-stack socket.
     * @return a new channel, not yet registered.
     */
    public DatagramChannel newChannel(InetAddress local) {
        SocketProtocolFamily family = local instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return this == EPOLL ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
