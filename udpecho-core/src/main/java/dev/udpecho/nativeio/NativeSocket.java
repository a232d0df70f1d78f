package dev.udpecho.nativeio;

import dev.udpecho.net.PeerAddress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A blocking UDP socket of the native transport. Options are set by meaning, not by number.
 *
 * <p>Setup ({@code open}, {@code bind}, options) happens on one thread before the socket is shared;
 * {@link DatagramRing#receive} and {@link DatagramRing#send} are then called by its one worker thread, and
 * {@link #shutdown()} and {@link #close()} by any thread.
 *
 * <p>No call acts on a closed descriptor, nor on one the system has since given to another file: each holds the
 * socket open while it runs, and the descriptor is closed by whichever of {@link #close()} and the last call in
 * progress comes last. Every call after {@code close()} throws {@link IllegalStateException}, except
 * {@code shutdown()} and {@code close()}, which then do nothing; a bad argument throws
 * {@link IllegalArgumentException} or {@link NullPointerException}. A socket that is never closed is closed
 * once it is unreachable.
 */
public final class NativeSocket implements AutoCloseable {
    private static final int REUSE_PORT = 1;
    private static final int V6_ONLY = 2;
    private static final int PACKET_INFO = 3;
    private static final int RECEIVE_BUFFER = 5;
    private static final int SEND_BUFFER = 6;
    private static final int RECEIVE_TIMEOUT_MS = 7;
    private static final int SEND_TIMEOUT_MS = 8;
    private static final int SEGMENTATION = 9;
    /**
     * Whether udpecho's batches go out segmented where the kernel can (server replies on the native and epoll
     * transports, {@code udpecho bench}'s batches of more than 16 requests): on by default;
     * {@code -Dudpecho.segmentation=false} sends one datagram per system call's message, to compare
     * (docs/BENCHMARKS.md).
     */
    public static final boolean SEGMENT_BY_DEFAULT = !"false".equals(System.getProperty("udpecho.segmentation"));
    private static final int HOP_INFO = 10;
    private static final int RECEIVE_TIMES = 11;
    private static final int GRO = 12;
    /**
     * Whether udpecho's echo servers ask for receive-side GRO on their native sockets ({@link #gro}): on by
     * default; {@code -Dudpecho.gro=false} receives each datagram on its own, to compare (docs/BENCHMARKS.md).
     */
    public static final boolean GRO_BY_DEFAULT = !"false".equals(System.getProperty("udpecho.gro"));
    /** State: no new call may start. */
    private static final int CLOSED = 1;
    /** State: one call in progress; the state counts them in these units. */
    private static final int IN_CALL = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(NativeSocket.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final boolean ipv6;
    /** Whether batches of replies go out segmented; set before the socket is handed to the thread that sends. */
    private boolean segmentation;
    /** {@link #CLOSED}, plus {@link #IN_CALL} per call in progress. */
    private volatile int state;
    /** Closes the descriptor: by close() or the last call after it, or once the socket is unreachable. */
    private final Cleaner.Cleanable closer;

    private NativeSocket(int fd, boolean ipv6) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.closer = NativeLibrary.cleaner().register(this, () -> close0(fd));
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

    /**
     * Holds the socket open for a call; {@link #release()} after it, always.
     *
     * @return the descriptor, valid until the release.
     * @throws IllegalStateException if the socket is closed.
     */
    int acquire() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException("socket closed");
            }
        } while (!STATE.compareAndSet(this, s, s + IN_CALL));
        return fd;
    }

    void release() {
        if ((int) STATE.getAndAdd(this, -IN_CALL) == CLOSED + IN_CALL) {
            closer.clean();
        }
        Reference.reachabilityFence(this);
    }

    /**
     * @param address a local address: of this socket's family, or IPv4 on a dual-stack socket.
     * @param port    0 for any free port.
     * @throws NativeIoException e.g. {@code Address already in use}.
     */
    public void bind(InetAddress address, int port) throws NativeIoException {
        checkAddress(address, port, "bind");
        int scope = address instanceof Inet6Address ? ((Inet6Address) address).getScopeId() : 0;
        byte[] bytes = address.getAddress();
        int fd = acquire();
        try {
            check(bind0(fd, ipv6, bytes, scope, port));
        } finally {
            release();
        }
    }

    /**
     * Fixes the peer: datagrams are sent to it without naming it, and only its datagrams are received.
     *
     * @param address the peer's address: of this socket's family, or IPv4 on a dual-stack socket.
     * @param port    the peer's port.
     * @throws NativeIoException e.g. {@code Network is unreachable}.
     */
    public void connect(InetAddress address, int port) throws NativeIoException {
        checkAddress(address, port, "connect to");
        int scope = address instanceof Inet6Address ? ((Inet6Address) address).getScopeId() : 0;
        byte[] bytes = address.getAddress();
        int fd = acquire();
        try {
            check(connect0(fd, ipv6, bytes, scope, port));
        } finally {
            release();
        }
    }

    private void checkAddress(InetAddress address, int port, String what) {
        Objects.requireNonNull(address, "address");
        if (!ipv6 && !(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("an IPv4 socket cannot " + what + " " + address);
        }
        checkPort(port);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 0 to 65535");
        }
    }

    /**
     * Sends one datagram outside any ring: for replies that wait (delayed, held back).
     *
     * @param data   a direct buffer holding the datagram from index 0.
     * @param length its size: 0 to the buffer's capacity.
     * @param to     where to send it: IPv4, or IPv6 on an IPv6 socket.
     * @param from   the local address to send it from, or {@code null} to let the kernel choose.
     * @throws NativeIoException if the kernel refuses it.
     */
    public void sendTo(ByteBuffer data, int length, PeerAddress to, PeerAddress from) throws NativeIoException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(to, "to");
        if (!data.isDirect()) {
            throw new IllegalArgumentException("the datagram must be in a direct buffer");
        }
        if (length < 0 || length > data.capacity()) {
            throw new IllegalArgumentException("length " + length + " is not 0 to " + data.capacity()
                    + " (the buffer's capacity)");
        }
        checkPort(to.port());
        if (!ipv6 && !to.isIpv4()) {
            throw new IllegalArgumentException("an IPv4 socket cannot send to " + to);
        }
        if (from != null && !ipv6 && !from.isIpv4()) {
            throw new IllegalArgumentException("an IPv4 socket cannot send from " + from);
        }
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
        int fd = acquire();
        try {
            check(sendTo0(fd, ipv6, data, length, address, to.port(), to.scopeId(), local,
                    local == null ? 0 : local.length));
        } finally {
            release();
        }
    }

    /** @return the port bound. */
    public int localPort() throws NativeIoException {
        int fd = acquire();
        try {
            return check(localPort0(fd));
        } finally {
            release();
        }
    }

    /** @param on whether several sockets may bind the same port, the kernel spreading datagrams among them. */
    public void reusePort(boolean on) throws NativeIoException {
        configure(REUSE_PORT, on ? 1 : 0);
    }

    /** @param on whether an IPv6 socket refuses IPv4 traffic. */
    public void v6Only(boolean on) throws NativeIoException {
        configure(V6_ONLY, on ? 1 : 0);
    }

    /** @param on whether each datagram reports the local address it was sent to, so replies can leave from it. */
    public void packetInfo(boolean on) throws NativeIoException {
        configure(PACKET_INFO, on ? 1 : 0);
    }

    /**
     * @param on whether each datagram reports the TTL (IPv6: hop limit) and the TOS byte (IPv6: traffic class)
     *           it arrived with: {@link DatagramRing#ttl}, {@link DatagramRing#tos}. A STAMP reflector returns
     *           them to the sender.
     */
    public void hopInfo(boolean on) throws NativeIoException {
        configure(HOP_INFO, on ? 1 : 0);
    }

    /**
     * @param on whether each datagram reports when the kernel received it ({@code SO_TIMESTAMPNS}):
     *           {@link DatagramRing#receivedAt}. A thread that takes datagrams only now and then, rather than
     *           waking for each, still learns when each arrived.
     */
    public void receiveTimes(boolean on) throws NativeIoException {
        configure(RECEIVE_TIMES, on ? 1 : 0);
    }

    /**
     * Asks for replies sent in a batch to go out segmented where they can: consecutive replies to one peer of
     * one size leave as one large packet with a segment size ({@code UDP_SEGMENT}, Linux 4.18), which the
     * kernel cuts into the same datagrams only where it must. See {@link DatagramRing#send}.
     *
     * @param on whether to segment.
     * @return whether replies will be segmented: false if not asked, or if the kernel cannot.
     */
    public boolean segmentation(boolean on) {
        if (!on) {
            segmentation = false;
        } else {
            try {
                configure(SEGMENTATION, 1);
                segmentation = true;
            } catch (NativeIoException e) {
                segmentation = false; // an older kernel: one send per reply, as before
            }
        }
        return segmentation;
    }

    /**
     * Asks for receive-side GRO ({@code UDP_GRO}, Linux 5.0): a run of datagrams of one size from one flow that
     * the kernel merged on the way in (a segmented send over loopback, a device's GRO) arrives as one, with its
     * segment size, instead of being cut up again first. A {@link DatagramRing} then holds several datagrams in
     * a slot ({@link DatagramRing#datagrams}); the slots must be large enough for 64 KiB, or the merged datagrams
     * are cut off.
     *
     * @param on whether to receive merged datagrams.
     * @return whether they will be: false if not asked, or if the kernel cannot.
     */
    public boolean gro(boolean on) {
        try {
            configure(GRO, on ? 1 : 0);
            return on;
        } catch (NativeIoException e) {
            return false; // an older kernel: each datagram arrives on its own, as before
        }
    }

    /** @return whether replies sent in a batch go out segmented ({@link #segmentation(boolean)}). */
    public boolean segmentation() {
        return segmentation;
    }

    /**
     * The socket's count of datagrams the kernel dropped before they were read, its receive buffer full
     * ({@code SO_MEMINFO}); read on demand, so that no datagram has to carry it.
     *
     * @return the count, or −1 if the kernel does not report it.
     */
    public long kernelDrops() {
        int fd = acquire();
        try {
            return drops0(fd);
        } finally {
            release();
        }
    }

    /** @param bytes requested size. @return the size the kernel granted (it doubles requests, capped by rmem_max). */
    public int receiveBuffer(int bytes) throws NativeIoException {
        checkNotNegative(bytes, "receive buffer");
        return configure(RECEIVE_BUFFER, bytes);
    }

    /** @param bytes requested size. @return the size the kernel granted. */
    public int sendBuffer(int bytes) throws NativeIoException {
        checkNotNegative(bytes, "send buffer");
        return configure(SEND_BUFFER, bytes);
    }

    /** @param millis how long a receive waits for the first datagram before returning none. */
    public void receiveTimeout(int millis) throws NativeIoException {
        checkNotNegative(millis, "receive timeout");
        configure(RECEIVE_TIMEOUT_MS, millis);
    }

    /** @param millis how long a send waits for buffer space before giving up on a reply. */
    public void sendTimeout(int millis) throws NativeIoException {
        checkNotNegative(millis, "send timeout");
        configure(SEND_TIMEOUT_MS, millis);
    }

    private int configure(int option, int value) throws NativeIoException {
        int fd = acquire();
        try {
            return check(configure0(fd, ipv6, option, value));
        } finally {
            release();
        }
    }

    private static void checkNotNegative(int value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " " + value + " is negative");
        }
    }

    /** Wakes a worker blocked in receive; it then sees nothing more. Nothing if the socket is closed. */
    public void shutdown() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, s + IN_CALL));
        try {
            shutdown0(fd);
        } finally {
            release();
        }
    }

    /**
     * Closes the socket. Calls in progress are woken first (as by {@link #shutdown()}), and the descriptor is
     * closed when the last of them returns; no new call starts. Idempotent; from any thread.
     */
    @Override
    public void close() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
            // Closing holds the socket open too, so that the wake-up below never meets a closed descriptor.
        } while (!STATE.compareAndSet(this, s, (s | CLOSED) + IN_CALL));
        try {
            if (s != 0) {
                shutdown0(fd);
            }
        } finally {
            release();
        }
    }

    /** @return whether {@link #close()} was called. */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
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

    private static native long drops0(int fd);

    private static native int shutdown0(int fd);

    private static native int close0(int fd);

    private static native String errorMessage0(int errno);
}
