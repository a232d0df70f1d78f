package dev.udpecho.nativeio;

import dev.udpecho.net.PeerAddress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A blocking UDP socket of the native transport. Options are set by meaning, not by number.
 *
 * <p>Setup ({@code open}, {@code bind}, options) happens on one thread before the socket is shared;
 * {@link DatagramRing#receive} and {@link DatagramRing#send} are then called by its one worker thread, and
 * {@link #shutdown()} and {@link #close()} by any thread.
 */
public final class NativeSocket implements AutoCloseable {
    private static final int REUSE_PORT = 1;
    private static final int V6_ONLY = 2;
    private static final int PACKET_INFO = 3;
    private static final int DROP_COUNTER = 4;
    private static final int RECEIVE_BUFFER = 5;
    private static final int SEND_BUFFER = 6;
    private static final int RECEIVE_TIMEOUT_MS = 7;
    private static final int SEND_TIMEOUT_MS = 8;

    private final int fd;
    private final boolean ipv6;
    private volatile boolean closed;

    private NativeSocket(int fd, boolean ipv6) {
        this.fd = fd;
        this.ipv6 = ipv6;
    }

    /**
     * @param ipv6 an IPv6 socket (dual-stack unless {@link #v6Only} is set) or an IPv4 one.
     * @return a new unbound socket.
     * @throws NativeIoException if the system refuses, e.g. IPv6 is not supported.
     */
    public static NativeSocket open(boolean ipv6) throws NativeIoException {
        NativeLibrary.ensureAvailable();
        return new NativeSocket(check(open0(ipv6)), ipv6);
    }

    /** @return whether this is an IPv6 socket. */
    public boolean isIpv6() {
        return ipv6;
    }

    int fd() {
        return fd;
    }

    /**
     * @param address a local address: of this socket's family, or IPv4 on a dual-stack socket.
     * @param port    0 for any free port.
     * @throws NativeIoException e.g. {@code Address already in use}.
     */
    public void bind(InetAddress address, int port) throws NativeIoException {
        int scope = address instanceof Inet6Address ? ((Inet6Address) address).getScopeId() : 0;
        if (!ipv6 && !(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("an IPv4 socket cannot bind " + address);
        }
        check(bind0(fd, ipv6, address.getAddress(), scope, port));
    }

    /**
     * Fixes the peer: datagrams are sent to it without naming it, and only its datagrams are received.
     *
     * @param address the peer's address: of this socket's family, or IPv4 on a dual-stack socket.
     * @param port    the peer's port.
     * @throws NativeIoException e.g. {@code Network is unreachable}.
     */
    public void connect(InetAddress address, int port) throws NativeIoException {
        int scope = address instanceof Inet6Address ? ((Inet6Address) address).getScopeId() : 0;
        if (!ipv6 && !(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("an IPv4 socket cannot connect to " + address);
        }
        check(connect0(fd, ipv6, address.getAddress(), scope, port));
    }

    /**
     * Sends one datagram outside any ring: for replies that wait (delayed, held back).
     *
     * @param data   a direct buffer holding the datagram from index 0.
     * @param length its size.
     * @param to     where to send it.
     * @param from   the local address to send it from, or {@code null} to let the kernel choose.
     * @throws NativeIoException if the kernel refuses it.
     */
    public void sendTo(ByteBuffer data, int length, PeerAddress to, PeerAddress from) throws NativeIoException {
        byte[] address = new byte[to.length()];
        for (int i = 0; i < address.length; i++) {
            address[i] = (byte) to.byteAt(i);
        }
        byte[] local = null;
        if (from != null) {
            local = new byte[from.length()];
            for (int i = 0; i < local.length; i++) {
                local[i] = (byte) from.byteAt(i);
            }
        }
        check(sendTo0(fd, ipv6, data, length, address, to.port(), to.scopeId(), local, local == null ? 0 : local.length));
    }

    /** @return the port bound. */
    public int localPort() throws NativeIoException {
        return check(localPort0(fd));
    }

    /** @param on whether several sockets may bind the same port, the kernel spreading datagrams among them. */
    public void reusePort(boolean on) throws NativeIoException {
        check(configure0(fd, ipv6, REUSE_PORT, on ? 1 : 0));
    }

    /** @param on whether an IPv6 socket refuses IPv4 traffic. */
    public void v6Only(boolean on) throws NativeIoException {
        check(configure0(fd, ipv6, V6_ONLY, on ? 1 : 0));
    }

    /** @param on whether each datagram reports the local address it was sent to, so replies can leave from it. */
    public void packetInfo(boolean on) throws NativeIoException {
        check(configure0(fd, ipv6, PACKET_INFO, on ? 1 : 0));
    }

    /** @param on whether each datagram carries the socket's count of datagrams the kernel dropped (SO_RXQ_OVFL). */
    public void dropCounter(boolean on) throws NativeIoException {
        check(configure0(fd, ipv6, DROP_COUNTER, on ? 1 : 0));
    }

    /** @param bytes requested size. @return the size the kernel granted (it doubles requests, capped by rmem_max). */
    public int receiveBuffer(int bytes) throws NativeIoException {
        return check(configure0(fd, ipv6, RECEIVE_BUFFER, bytes));
    }

    /** @param bytes requested size. @return the size the kernel granted. */
    public int sendBuffer(int bytes) throws NativeIoException {
        return check(configure0(fd, ipv6, SEND_BUFFER, bytes));
    }

    /** @param millis how long a receive waits for the first datagram before returning none. */
    public void receiveTimeout(int millis) throws NativeIoException {
        check(configure0(fd, ipv6, RECEIVE_TIMEOUT_MS, millis));
    }

    /** @param millis how long a send waits for buffer space before giving up on a reply. */
    public void sendTimeout(int millis) throws NativeIoException {
        check(configure0(fd, ipv6, SEND_TIMEOUT_MS, millis));
    }

    /** Wakes a worker blocked in receive; it then sees nothing more. */
    public void shutdown() {
        if (!closed) {
            shutdown0(fd);
        }
    }

    /** Closes the socket; call once its worker has stopped. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            close0(fd);
        }
    }

    static int check(int result) throws NativeIoException {
        if (result < 0) {
            throw new NativeIoException(-result);
        }
        return result;
    }

    static String errorMessage(int errno) {
        return NativeLibrary.isAvailable() ? errorMessage0(errno) : "error " + errno;
    }

    private static native int open0(boolean ipv6);

    private static native int bind0(int fd, boolean ipv6, byte[] address, int scope, int port);

    private static native int connect0(int fd, boolean ipv6, byte[] address, int scope, int port);

    private static native int sendTo0(int fd, boolean ipv6, ByteBuffer data, int length, byte[] address, int port,
                                      int scope, byte[] local, int localLength);

    private static native int localPort0(int fd);

    private static native int configure0(int fd, boolean ipv6, int option, int value);

    private static native int shutdown0(int fd);

    private static native int close0(int fd);

    private static native String errorMessage0(int errno);
}
