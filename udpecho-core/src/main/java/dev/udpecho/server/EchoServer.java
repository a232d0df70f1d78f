package dev.udpecho.server;

import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A running UDP echo server: its sockets, their event loops and their counters.
 *
 * <p>Start one with {@link #builder()}, or in two steps with {@link #open} (sockets created) and {@link #bind}
 * (sockets bound). {@link #addresses()}, {@link #stats()} and {@link #close()} may be called from any thread.
 *
 * <pre>{@code
 * try (EchoServer server = EchoServer.builder().port(0).prefix("OK...").start()) {
 *     InetSocketAddress address = server.address();
 *     ...
 * }
 * }</pre>
 */
public final class EchoServer implements AutoCloseable {
    private static final InetAddress IPV6_ANY = address(new byte[16]);
    private static final InetAddress IPV4_ANY = address(new byte[4]);

    private final ServerConfig config;
    private final ReplyPolicy policy;
    private final ServerLog log;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetAddress> locals = new ArrayList<>();
    private final List<ServerCounters> counters = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private volatile boolean closed;

    private EchoServer(ServerConfig config, ReplyPolicy policy, ServerLog log) {
        this.config = config;
        this.policy = policy;
        this.log = log;
        int sockets = Math.max(1, config.bindAddresses().size()) * config.workers();
        this.group = new MultiThreadIoEventLoopGroup(sockets, new DefaultThreadFactory("udpecho-worker", true),
                config.transport().ioHandlerFactory());
    }

    /** @return a builder for a server with the tutorial's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the sockets, not yet bound.
     *
     * @param config what to bind and how to answer.
     * @param policy which datagrams to answer.
     * @param log    where received datagrams and errors are reported; closed with the server.
     * @return the server, with its sockets created.
     */
    public static EchoServer open(ServerConfig config, ReplyPolicy policy, ServerLog log) {
        EchoServer server = new EchoServer(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(log, "log"));
        try {
            server.createSockets();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Binds every socket to its address and the configured port; with port 0 the first socket picks a free port
     * and the others take the same one. On failure everything is closed.
     *
     * @return this server, now answering.
     * @throws BindFailedException naming the address, port and cause.
     */
    public EchoServer bind() throws BindFailedException {
        int port = config.port();
        for (int i = 0; i < channels.size(); i++) {
            InetSocketAddress target = new InetSocketAddress(locals.get(i), port);
            ChannelFuture future = channels.get(i).bind(target).awaitUninterruptibly();
            if (!future.isSuccess()) {
                close();
                throw new BindFailedException(target, future.cause());
            }
            InetSocketAddress local = (InetSocketAddress) channels.get(i).localAddress();
            port = local.getPort();
            bound.add(local);
        }
        return this;
    }

    /** @return the addresses and ports actually bound, one per bind address. */
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
        if (bound.isEmpty()) {
            throw new IllegalStateException("not bound");
        }
        return bound.get(0);
    }

    /** @return the transport the sockets use. */
    public Transport transport() {
        return config.transport();
    }

    /** @return the counters so far, summed over all sockets. */
    public ServerStats stats() {
        return ServerStats.sum(counters, log.dropped());
    }

    /** @return whether every socket is open and its event loop running. */
    public boolean isServing() {
        if (closed || bound.isEmpty() || group.isShuttingDown()) {
            return false;
        }
        for (Channel c : channels) {
            if (!c.isActive()) {
                return false;
            }
        }
        return true;
    }

    /** Stops answering, closes the sockets and the log; returns within about a second. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel c : channels) {
            c.close();
        }
        group.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
        log.close();
    }

    private void createSockets() {
        List<InetAddress> addresses = config.bindAddresses();
        if (addresses.isEmpty()) {
            addresses = List.of(IPV6_ANY);
        }
        for (InetAddress address : addresses) {
            for (int w = 0; w < config.workers(); w++) {
                createSocket(address);
            }
        }
    }

    private void createSocket(InetAddress address) {
        try {
            register(address);
        } catch (RuntimeException e) {
            // A host without IPv6 cannot create the dual-stack wildcard socket: fall back to IPv4 only.
            if (address == IPV6_ANY && config.bindAddresses().isEmpty()) {
                register(IPV4_ANY);
            } else {
                throw e;
            }
        }
    }

    private void register(InetAddress address) {
        ServerCounters workerCounters = new ServerCounters();
        Transport transport = config.transport();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> transport.newChannel(address))
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(DatagramLimits.RECEIVE_BUFFER_SIZE))
                .handler(new EchoHandler(transport, config.prefix(), policy, workerCounters, log));
        ChannelFuture future = bootstrap.register().syncUninterruptibly();
        channels.add(future.channel());
        locals.add(address);
        counters.add(workerCounters);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 4 ? Inet4Address.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Collects a server's settings; {@link #start()} binds it. Not thread-safe.
     */
    public static final class Builder {
        private ServerConfig config = ServerConfig.defaults();
        private ReplyPolicy policy = ReplyPolicy.ALWAYS;
        private ServerLog log = ServerLog.SILENT;

        private Builder() {
        }

        /** @param port UDP port, 0 for any free one. @return this builder. */
        public Builder port(int port) {
            config = config.withPort(port);
            return this;
        }

        /** @param prefix text put before each reply, as UTF-8; empty for a plain echo. @return this builder. */
        public Builder prefix(String prefix) {
            config = config.withPrefix(prefix.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** @param prefix bytes put before each reply. @return this builder. */
        public Builder prefix(byte[] prefix) {
            config = config.withPrefix(prefix);
            return this;
        }

        /** @param addresses local addresses to bind; none for every interface. @return this builder. */
        public Builder bind(InetAddress... addresses) {
            config = config.withBindAddresses(List.of(addresses));
            return this;
        }

        /** @param transport the I/O transport. @return this builder. */
        public Builder transport(Transport transport) {
            config = config.withTransport(transport);
            return this;
        }

        /** @param workers sockets per bind address. @return this builder. */
        public Builder workers(int workers) {
            config = config.withWorkers(workers);
            return this;
        }

        /** @param config every setting at once. @return this builder. */
        public Builder config(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** @param policy which datagrams to answer. @return this builder. */
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
         * @return the server, bound and answering.
         * @throws BindFailedException if a socket cannot be bound.
         */
        public EchoServer start() throws BindFailedException {
            return open(config, policy, log).bind();
        }
    }
}
