package dev.udpecho.server;

import dev.udpecho.nativeio.NativeSocket;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The sockets of a server and what drives them: {@link NativeEngine} (udpecho's native loop) or
 * {@link NettyEngine} (Netty's epoll or NIO). Created with its sockets open; {@link #bind} starts serving.
 *
 * <p>{@link #bind} is called once, by the thread that created it; the rest from any thread.
 */
interface Engine extends AutoCloseable {
    /**
     * Whether a batch's consecutive replies to one peer of one size go as one segmented send (UDP_SEGMENT) where
     * the kernel can, on the native and epoll transports ({@link NativeSocket#SEGMENT_BY_DEFAULT}).
     */
    boolean SEGMENTATION = NativeSocket.SEGMENT_BY_DEFAULT;

    /**
     * Whether the echo's sockets take runs of datagrams the kernel merged (receive-side GRO) as one read, on the
     * native transport ({@link NativeSocket#GRO_BY_DEFAULT}). Not for a protocol that writes its reply over the
     * request: a merged datagram has no room after it but the next one. Not on epoll: Netty 4.2.18's batched
     * read loses the segment size (netty/netty#17492).
     */
    boolean GRO = NativeSocket.GRO_BY_DEFAULT;

    /**
     * @param port the port for every socket; 0 lets the first pick one and the others take the same.
     * @return the address and port each socket bound.
     * @throws BindFailedException naming what could not be bound; the engine is then closed.
     */
    List<InetSocketAddress> bind(int port) throws BindFailedException;

    /** @return whether the sockets share their port through SO_REUSEPORT, which another process could join. */
    boolean sharesPort();

    /** @return every socket's counters. */
    List<ServerCounters> counters();

    /** @return the smallest receive buffer the kernel granted a socket, in the units it was asked for. */
    int receiveBufferGranted();

    /** @return datagrams the kernel dropped before they were read (receive buffers full), 0 if not known. */
    long kernelDrops();

    /** @return whether every socket is open and its thread running. */
    boolean isServing();

    /** Stops within about a second and closes every socket. Idempotent. */
    @Override
    void close();
}
