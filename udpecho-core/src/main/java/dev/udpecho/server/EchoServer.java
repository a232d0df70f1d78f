package dev.udpecho.server;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.Destinations;
import dev.udpecho.policy.DropNotices;
import dev.udpecho.policy.LoopGuard;
import dev.udpecho.policy.ReplyPolicy;
import dev.udpecho.policy.SourceRateLimiter;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.protocol.Stamp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A running UDP echo server: its sockets, the threads that serve them, and their counters.
 *
 * <p>Start one with {@link #builder()}, or in two steps with {@link #open} (sockets created) and {@link #bind}
 * (sockets bound, serving). {@link #addresses()}, {@link #stats()} and {@link #close()} may be called from any
 * thread.
 *
 * <pre>{@code
 * try (EchoServer server = EchoServer.builder().port(0).prefix("OK...").start()) {
 *     InetSocketAddress address = server.address();
 *     ...
 * }
 * }</pre>
 *
 * <p>As a bad network for a client under test (one worker, so that a seed repeats exactly):
 *
 * <pre>{@code
 * try (EchoServer server = EchoServer.builder().port(0)
 *         .impairments(Impairments.parse("loss=5%", "delay=20ms±5ms", "duplicate=1%", "seed=42")).start()) {
 *     ...
 *     long lost = server.stats().impaired(Impairment.LOST);
 * }
 * }</pre>
 */
public final class EchoServer implements AutoCloseable {
    private static final InetAddress IPV6_ANY = address(new byte[16]);
    private static final InetAddress IPV4_ANY = address(new byte[4]);
    /** Free ports picked for port 0 before one is free on every address too. */
    private static final int PORT_ATTEMPTS = 8;

    private final ServerConfig config;
    private final ServerLog log;
    private final LoopGuard loopGuard;
    private final Engine engine;
    private final List<InetAddress> bindAddresses;
    private volatile List<InetSocketAddress> bound = List.of();
    private volatile boolean closed;

    private EchoServer(ServerConfig config, ServerLog log, LoopGuard loopGuard, Engine engine,
                       List<InetAddress> addresses) {
        this.config = config;
        this.log = log;
        this.loopGuard = loopGuard;
        this.engine = engine;
        this.bindAddresses = addresses;
    }

    /** @return a builder for a server with the tutorial's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the sockets, not yet bound. With no bind address, one dual-stack IPv6 socket takes every
     * interface, IPv4 included; on a host without IPv6, an IPv4 one.
     *
     * <p>Every datagram goes through the access list, the loop guard and the rate limits of {@code config},
     * in that order, then through {@code policy}.
     *
     * @param config what to bind and how to answer.
     * @param policy which datagrams to answer, beyond what {@code config} says.
     * @param log    where received datagrams and errors are reported; closed with the server.
     * @return the server, with its sockets created.
     * @throws UncheckedIOException if a socket cannot be created.
     */
    public static EchoServer open(ServerConfig config, ReplyPolicy policy, ServerLog log) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(log, "log");
        // STAMP senders may send from STAMP's own port; a reflector's reply is told apart by its content instead.
        LoopGuard loopGuard = new LoopGuard(config.prefix(), config.allowLowSourcePorts(), config.port(),
                config.protocol() == Protocol.STAMP ? Stamp.PORT : 0);
        ReplyPolicy chain = new Guards(config.accessList(), loopGuard,
                config.rateLimits().isOn() ? new SourceRateLimiter(config.rateLimits()) : null, policy);
        Responders responders = new Responders(config, chain, log, new DropNotices(log::notice), new Destinations());
        List<InetAddress> addresses = config.bindAddresses();
        try {
            if (!addresses.isEmpty()) {
                return new EchoServer(config, log, loopGuard, engine(config, addresses, responders), addresses);
            }
            try {
                return new EchoServer(config, log, loopGuard, engine(config, List.of(IPV6_ANY), responders),
                        List.of(IPV6_ANY));
            } catch (NativeIoException | RuntimeException e) {
                // No IPv6 on this host: every IPv4 interface instead.
                return new EchoServer(config, log, loopGuard, engine(config, List.of(IPV4_ANY), responders),
                        List.of(IPV4_ANY));
            }
        } catch (NativeIoException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Engine engine(ServerConfig config, List<InetAddress> addresses, Responders responders)
            throws NativeIoException {
        return config.transport().isNetty() ? new NettyEngine(config, addresses, responders)
                : new NativeEngine(config, addresses, responders);
    }

    /**
     * Binds every socket to its address and the configured port, and starts serving; with port 0 all take one
     * that no other socket holds. On failure everything is closed.
     *
     * @return this server, now answering.
     * @throws BindFailedException naming the address, port and cause.
     */
    public EchoServer bind() throws BindFailedException {
        try {
            int port = config.port();
            if (engine.sharesPort()) {
                port = portAlone(port);
            }
            bound = List.copyOf(engine.bind(port));
            loopGuard.ownPort(bound.get(0).getPort());
        } catch (BindFailedException e) {
            close();
            throw e;
        }
        return this;
    }

    /**
     * Sockets that share the port through SO_REUSEPORT (several workers, or the native transport's sockets for
     * each address) could join another process's group on that port, silently splitting its traffic; and for
     * port 0, Linux may hand them a port such a group already holds, as it counts that port as shareable. So
     * bind each address alone first, without SO_REUSEPORT: the port asked for must be free, and for port 0 the
     * kernel picks one that no socket holds (on the first address; another try if a later one holds it).
     *
     * @return the port to bind the sockets to.
     */
    private int portAlone(int asked) throws BindFailedException {
        for (int attempt = 1; ; attempt++) {
            int port = asked;
            try {
                for (InetAddress address : bindAddresses) {
                    port = bindAlone(new InetSocketAddress(address, port));
                }
                return port;
            } catch (BindFailedException e) {
                if (asked != 0 || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** @return the port bound, by a socket closed again at once; the target's unless that is 0. */
    private static int bindAlone(InetSocketAddress target) throws BindFailedException {
        ProtocolFamily family = target.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
        try (DatagramChannel probe = DatagramChannel.open(family)) {
            probe.bind(target);
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        } catch (UnsupportedOperationException e) {
            return target.getPort(); // IPv6 off in this JVM (java.net.preferIPv4Stack): the engine says if it fails
        } catch (IOException e) {
            throw new BindFailedException(target, e);
        }
    }

    /** @return the addresses and ports actually bound, once each. */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> distinct = new ArrayList<>();
        for (InetSocketAddress a : bound) {
            if (!distinct.contains(a)) {
                distinct.add(a);
            }
        }
        return distinct;
    }

    /** @return the first address bound; with the default binding, the wildcard address and the port. */
    public InetSocketAddress address() {
        List<InetSocketAddress> b = bound;
        if (b.isEmpty()) {
            throw new IllegalStateException("not bound");
        }
        return b.get(0);
    }

    /** @return the transport the sockets use. */
    public Transport transport() {
        return config.transport();
    }

    /** @return the counters so far, summed over all sockets. */
    public ServerStats stats() {
        return ServerStats.sum(engine.counters(), engine.kernelDrops(), log.dropped());
    }

    /**
     * @return the receive buffer the kernel granted (the smallest, with several sockets); less than
     * {@link ServerConfig#receiveBufferBytes()} when capped by {@code net.core.rmem_max}.
     */
    public int receiveBufferGranted() {
        return engine.receiveBufferGranted();
    }

    /** @return the configuration this server runs with. */
    public ServerConfig config() {
        return config;
    }

    /** @return whether every socket is bound and open and its thread running. */
    public boolean isServing() {
        return !closed && !bound.isEmpty() && engine.isServing();
    }

    /** Stops answering, closes the sockets and the log; returns within about a second. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.close();
        log.close();
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 4 ? Inet4Address.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Collects a server's settings, by the names of {@link ServerConfig.Builder}'s, and the policy and log that
     * go with them; {@link #start()} binds it. Not thread-safe.
     */
    public static final class Builder {
        private ServerConfig.Builder config = ServerConfig.builder();
        private ReplyPolicy policy = ReplyPolicy.ALWAYS;
        private ServerLog log = ServerLog.SILENT;

        private Builder() {
        }

        /** @param port UDP port, 0 for any free one. @return this builder. */
        public Builder port(int port) {
            config.port(port);
            return this;
        }

        /** @param prefix text put before each reply, as UTF-8; empty for a plain echo. @return this builder. */
        public Builder prefix(String prefix) {
            config.prefix(prefix);
            return this;
        }

        /** @param prefix bytes put before each reply. @return this builder. */
        public Builder prefix(byte[] prefix) {
            config.prefix(prefix);
            return this;
        }

        /** @param addresses local addresses to bind; none for every interface. @return this builder. */
        public Builder bind(InetAddress... addresses) {
            config.bindAddresses(List.of(addresses));
            return this;
        }

        /** @param transport the I/O transport. @return this builder. */
        public Builder transport(Transport transport) {
            config.transport(transport);
            return this;
        }

        /** @param workers sockets per bind address, each with its own thread. @return this builder. */
        public Builder workers(int workers) {
            config.workers(workers);
            return this;
        }

        /**
         * @param protocol what to answer: the echo (the default), a STAMP Session-Reflector (port 862 unless one
         *                 is given) or sockperf's server.
         * @return this builder.
         */
        public Builder protocol(Protocol protocol) {
            config.protocol(protocol);
            return this;
        }

        /**
         * @param what what to do to replies on purpose, e.g. {@code Impairments.parse("loss=5%", "seed=42")}.
         *             Without an explicit number of workers, an impaired server has one, so that a seed
         *             repeats exactly.
         * @return this builder.
         */
        public Builder impairments(Impairments what) {
            config.impairments(what);
            return this;
        }

        /**
         * @param settings changes any other setting by name, e.g. {@code c -> c.receiveBufferBytes(1 << 20)}.
         * @return this builder.
         */
        public Builder config(Consumer<ServerConfig.Builder> settings) {
            settings.accept(config);
            return this;
        }

        /** @param config every setting at once. @return this builder. */
        public Builder config(ServerConfig config) {
            this.config = config.toBuilder();
            return this;
        }

        /** @param policy which datagrams to answer, after the configured guards and limits. @return this builder. */
        public Builder policy(ReplyPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** @param log where datagrams and errors are reported. @return this builder. */
        public Builder log(ServerLog log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * Binds the server.
         *
         * @return the server, bound and answering.
         * @throws BindFailedException if a socket cannot be bound.
         * @throws IllegalArgumentException naming a setting out of range.
         */
        public EchoServer start() throws BindFailedException {
            return open(config.build(), policy, log).bind();
        }
    }
}
