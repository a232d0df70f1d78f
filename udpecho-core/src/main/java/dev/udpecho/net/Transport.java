package dev.udpecho.net;

import dev.udpecho.nativeio.NativeLibrary;
import io.netty.channel.epoll.Epoll;

import java.util.Locale;

/**
 * The one place where the I/O transport is chosen: udpecho's own native datagram loop on Linux (x86_64, aarch64)
 * (batched recvmmsg/sendmmsg, nothing allocated per datagram, replies from the address each request was sent
 * to), Netty's native epoll elsewhere on Linux, and the portable JDK NIO transport everywhere else.
 *
 * <p>It names a transport; the engines drive it, and no Netty type shows here. Stateless and safe to use from
 * any thread.
 */
public enum Transport {
    /** udpecho's JNI library: blocking recvmmsg/sendmmsg on a ring of slots, one thread per socket. Servers only. */
    NATIVE,
    /** Linux epoll through Netty's native library. */
    EPOLL,
    /** JDK NIO selector: works on every platform. */
    NIO;

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

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
