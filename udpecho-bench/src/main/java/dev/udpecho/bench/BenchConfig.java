package dev.udpecho.bench;

import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.Transport;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.protocol.Stamp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What one run measures and how. Immutable; every value is checked here, and a wrong one fails with a message
 * that names it and the allowed range.
 *
 * @param server   the echo server; its address must be resolved.
 * @param prefix   the bytes the server puts before each reply ({@code OK...} for udpecho's default, empty for a
 *                 plain echo).
 * @param mode     how to load the server.
 * @param duration how long to measure, after the warmup.
 * @param size     bytes per datagram, {@link DatagramFormat#HEADER} or more; the reply is the prefix and these.
 * @param window   datagrams in flight: 1 in {@link BenchMode#PINGPONG}, 1 to {@link #MAX_WINDOW} in
 *                 {@link BenchMode#WINDOW}, unused (0) in {@link BenchMode#RATE}.
 * @param rate     datagrams per second in {@link BenchMode#RATE}, 1 to {@link #MAX_RATE}; 0 otherwise.
 * @param warmup   how long to load the server before measuring; what happens then is not counted.
 * @param timeout  how long a datagram waits for its reply before it counts as lost.
 * @param io       {@link Transport#NATIVE} (recvmmsg/sendmmsg) or {@link Transport#NIO} (portable).
 * @param protocol what the server speaks: the echo, a STAMP reflector or a sockperf server; with the last two the
 *                 prefix is empty, and a datagram is at least {@link #minSize} bytes.
 * @param stampStateful     STAMP: the reflector counts its own sequence numbers, so loss splits into forward
 *                          and backward.
 * @param clockSynchronised STAMP: this host's clock is synchronised to UTC, so one-way delays mean something
 *                          when the reflector says its clock is too.
 * @param busyPoll pingpong and window modes: how long to keep asking the socket for replies, without sleeping,
 *                 before waiting for them asleep; {@link Duration#ZERO} to sleep at once (0 to 1 s). While the
 *                 bench polls, a reply needs no wake-up: the server does not pay for one (on a virtual machine,
 *                 an interrupt to the bench's CPU per window), and the round trip does not include the bench's
 *                 own wake-up. {@link #defaultBusyPoll}: polls in window mode only, so that pingpong's round
 *                 trips stay comparable with other tools'. Unused in rate mode, whose receiver has its own thread.
 */
public record BenchConfig(InetSocketAddress server, byte[] prefix, BenchMode mode, Duration duration, int size,
                          int window, long rate, Duration warmup, Duration timeout, Transport io, Protocol protocol,
                          boolean stampStateful, boolean clockSynchronised, Duration busyPoll) {
    /** The most datagrams in flight in window mode. */
    public static final int MAX_WINDOW = 65_536;
    /** The highest rate in rate mode, per second. */
    public static final long MAX_RATE = 10_000_000;
    /** Rate × timeout: the most datagrams rate mode may have to track at once. */
    public static final long MAX_IN_FLIGHT = 1L << 20;
    /**
     * Window mode's default {@link #busyPoll}: a quarter of a window's round trip on loopback at 300k replies/s.
     * When replies stop coming, the bench polls this long before each sleep; while they keep coming less than
     * this apart, it polls all the time.
     */
    public static final Duration DEFAULT_BUSY_POLL = Duration.ofNanos(50_000);
    /** The longest {@link #busyPoll}. */
    public static final Duration MAX_BUSY_POLL = Duration.ofSeconds(1);

    /** The echo's configuration: {@link Protocol#ECHO}, {@link #defaultBusyPoll}. */
    public BenchConfig(InetSocketAddress server, byte[] prefix, BenchMode mode, Duration duration, int size,
                       int window, long rate, Duration warmup, Duration timeout, Transport io) {
        this(server, prefix, mode, duration, size, window, rate, warmup, timeout, io, Protocol.ECHO, false, false);
    }

    /** A configuration that polls as {@link #defaultBusyPoll} says. */
    public BenchConfig(InetSocketAddress server, byte[] prefix, BenchMode mode, Duration duration, int size,
                       int window, long rate, Duration warmup, Duration timeout, Transport io, Protocol protocol,
                       boolean stampStateful, boolean clockSynchronised) {
        this(server, prefix, mode, duration, size, window, rate, warmup, timeout, io, protocol, stampStateful,
                clockSynchronised, defaultBusyPoll(mode));
    }

    /**
     * @param mode how the bench loads the server.
     * @return {@link #DEFAULT_BUSY_POLL} in window mode, where a sleeping bench costs the server; zero otherwise.
     */
    public static Duration defaultBusyPoll(BenchMode mode) {
        return mode == BenchMode.WINDOW ? DEFAULT_BUSY_POLL : Duration.ZERO;
    }

    /** @return the smallest datagram of a protocol: the echo's header, sockperf's and ours, or STAMP's packet. */
    public static int minSize(Protocol protocol) {
        switch (protocol) {
            case STAMP:
                return Stamp.BASE;
            case SOCKPERF:
                return SockperfFormat.MIN_SIZE;
            default:
                return DatagramFormat.HEADER;
        }
    }

    public BenchConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(busyPoll, "busyPoll");
        Objects.requireNonNull(io, "io");
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("server address " + server.getHostString() + " is not resolved");
        }
        prefix = prefix.clone();
        if (protocol != Protocol.ECHO && prefix.length > 0) {
            throw new IllegalArgumentException("a " + protocol.label() + " reply has no prefix");
        }
        int maxSize = DatagramLimits.maxPayload(server.getAddress()) - prefix.length;
        int minSize = minSize(protocol);
        if (size < minSize || size > maxSize) {
            throw new IllegalArgumentException("size must be " + minSize + " to " + maxSize
                    + " bytes (the largest UDP payload less the " + prefix.length + "-byte prefix), not " + size);
        }
        if (protocol == Protocol.STAMP && size > Stamp.BASE && size < Stamp.BASE + Stamp.TLV_HEADER) {
            throw new IllegalArgumentException("a STAMP packet is " + Stamp.BASE + " bytes, or " + (Stamp.BASE
                    + Stamp.TLV_HEADER) + " or more with Extra Padding, not " + size);
        }
        check("duration", duration, Duration.ofMillis(100), Duration.ofHours(24));
        check("warmup", warmup, Duration.ZERO, Duration.ofHours(1));
        check("timeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
        check("busy poll", busyPoll, Duration.ZERO, MAX_BUSY_POLL);
        switch (mode) {
            case PINGPONG:
                if (window != 1) {
                    throw new IllegalArgumentException("pingpong mode keeps one datagram in flight, not " + window);
                }
                break;
            case WINDOW:
                if (window < 1 || window > MAX_WINDOW) {
                    throw new IllegalArgumentException("window must be 1 to " + MAX_WINDOW + " datagrams, not " + window);
                }
                break;
            default:
                if (window != 0) {
                    throw new IllegalArgumentException("rate mode has no window (it sends on a schedule)");
                }
        }
        if (mode == BenchMode.RATE) {
            if (rate < 1 || rate > MAX_RATE) {
                throw new IllegalArgumentException("rate must be 1 to " + MAX_RATE + " datagrams per second, not " + rate);
            }
            double inFlight = rate * (timeout.toNanos() / 1e9);
            if (inFlight > MAX_IN_FLIGHT) {
                throw new IllegalArgumentException("rate × timeout must be at most " + MAX_IN_FLIGHT
                        + " datagrams in flight, not " + Math.round(inFlight) + ": lower the rate or the timeout");
            }
        } else if (rate != 0) {
            throw new IllegalArgumentException("a rate applies to rate mode only");
        }
        if (mode == BenchMode.RATE && !busyPoll.isZero()) {
            throw new IllegalArgumentException("a busy poll applies to pingpong and window modes only");
        }
        if (io != Transport.NATIVE && io != Transport.NIO) {
            throw new IllegalArgumentException("bench sends through the native or the nio transport, not " + io);
        }
    }

    private static void check(String name, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + text(min) + " to " + text(max) + ", not "
                    + text(value));
        }
    }

    private static String text(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 3_600_000_000_000L == 0 && nanos > 0) {
            return nanos / 3_600_000_000_000L + "h";
        }
        if (nanos % 1_000_000_000 == 0) {
            return nanos / 1_000_000_000 + "s";
        }
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + "ms";
        }
        return nanos % 1_000 == 0 ? nanos / 1_000 + "us" : nanos / 1e6 + "ms";
    }

    /** @return a copy of the reply prefix. */
    @Override
    public byte[] prefix() {
        return prefix.clone();
    }

    /** @return the size of a good reply: prefix and datagram. */
    public int replySize() {
        return prefix.length + size;
    }

    /** @return the best I/O for a bench client here: {@link Transport#NATIVE} where it loads, else {@link Transport#NIO}. */
    public static Transport bestIo() {
        return Transport.NATIVE.isAvailable() ? Transport.NATIVE : Transport.NIO;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BenchConfig c && server.equals(c.server) && java.util.Arrays.equals(prefix, c.prefix)
                && mode == c.mode && duration.equals(c.duration) && size == c.size && window == c.window
                && rate == c.rate && warmup.equals(c.warmup) && timeout.equals(c.timeout) && io == c.io
                && protocol == c.protocol && stampStateful == c.stampStateful
                && clockSynchronised == c.clockSynchronised && busyPoll.equals(c.busyPoll);
    }

    @Override
    public int hashCode() {
        return Objects.hash(server, java.util.Arrays.hashCode(prefix), mode, duration, size, window, rate, warmup,
                timeout, io, protocol, stampStateful, clockSynchronised, busyPoll);
    }

    @Override
    public String toString() {
        return "BenchConfig[" + mode + " to " + server + ", size " + size + ", window " + window + ", rate " + rate
                + ", duration " + duration + ", warmup " + warmup + ", timeout " + timeout + ", io " + io + ", protocol "
                + protocol.label() + ", busy poll " + busyPoll + "]";
    }
}
