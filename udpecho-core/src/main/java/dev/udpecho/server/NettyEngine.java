package dev.udpecho.server;

import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.ProcNetUdp;
import dev.udpecho.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server on Netty's transports (epoll or NIO): one channel per socket, each on its own event loop, with an
 * {@link EchoHandler}. The portable path. A wildcard binding gets channels bound to each of the host's
 * addresses ({@link HostAddresses}), so that replies leave from the address they were sent to and nothing sent
 * to many hosts (broadcast, multicast) reaches a socket that could not tell ({@link #plan}).
 */
final class NettyEngine implements Engine {
    private static final InetAddress IPV4_ANY = ipv4Any();

    /** Bytes of replies that may wait for the socket; past that, replies are dropped and counted. */
    static final int MAX_PENDING_BYTES = 4 << 20;
    /**
     * Datagrams per recvmmsg on epoll: 32 slots of 64 KiB, so that none is ever cut. The 2 MiB come from
     * Netty's pool; 64 slots would be 4 MiB, one whole chunk of the pool per read, and cost a third more per
     * reply (docs/BENCHMARKS.md).
     */
    private static final int RECVMMSG_BATCH = 32;
    /** Most datagrams read per wake-up on NIO before the replies are flushed. */
    private static final int READ_BATCH = 64;

    private final ServerConfig config;
    private final Responders responders;
    private final boolean sharesPort;
    /** The addresses asked for: one of them that cannot be bound fails the server. */
    private final List<InetAddress> asked;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetAddress> locals = new ArrayList<>();
    /** One per channel, in channel order. */
    private final List<ServerCounters> counters = new ArrayList<>();
    /** Epoll's read buffers, one per channel. */
    private final ReceiveBuffers receiveBuffers =
            new ReceiveBuffers(RECVMMSG_BATCH * DatagramLimits.RECEIVE_BUFFER_SIZE);
    private volatile boolean closed;

    NettyEngine(ServerConfig config, List<InetAddress> addresses, Responders responders) {
        this.config = config;
        this.responders = responders;
        this.sharesPort = config.workers() > 1 || addresses.stream().anyMatch(InetAddress::isAnyLocalAddress);
        this.asked = List.copyOf(addresses);
        List<InetAddress> plan = plan(config.transport(), addresses);
        this.group = new MultiThreadIoEventLoopGroup(plan.size() * config.workers(),
                new DefaultThreadFactory("udpecho-worker", true), NettyChannels.ioHandlerFactory(config.transport()));
        try {
            for (InetAddress address : plan) {
                for (int w = 0; w < config.workers(); w++) {
                    register(address);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Netty's transports do not report every datagram's destination, so a wildcard binding is served by
     * sockets that cannot receive what was sent to many hosts: one per unicast address of the host, plus on
     * epoll an IPv4 wildcard that reports each datagram's destination (IP_RECVORIGDSTADDR), for IPv4 addresses
     * added later. NIO and IPv6 have no wildcard socket: an address added later is not served until a restart.
     *
     * @return the addresses to bind, those asked for first.
     */
    private static List<InetAddress> plan(Transport transport, List<InetAddress> addresses) {
        List<InetAddress> plan = new ArrayList<>();
        for (InetAddress a : addresses) {
            InetAddress bind = !a.isAnyLocalAddress() ? a : transport == Transport.EPOLL ? IPV4_ANY : null;
            if (bind != null && !plan.contains(bind)) {
                plan.add(bind);
            }
        }
        for (InetAddress a : HostAddresses.all(addresses)) {
            if (!plan.contains(a)) {
                plan.add(a);
            }
        }
        return plan;
    }

    /**
     * How a channel reads. NIO reads one datagram per call whatever the buffer; the fixed allocator would stop
     * after one per wake-up, a system call wasted per datagram, so NIO reads up to {@link #READ_BATCH} per
     * wake-up, as the channel's own default allocator would.
     *
     * <p>Epoll reads with one recvmmsg into room for {@link #RECVMMSG_BATCH} whole datagrams (Netty cuts the
     * buffer into one slot per datagram of {@code MAX_DATAGRAM_PAYLOAD_SIZE}), and reads once per wake-up: the
     * replies go out (one sendmmsg) before the next read. Netty's epoll otherwise reads until the socket is empty,
     * and a server faster than its peers then reads one or two datagrams per call as they come in, 17 calls per
     * wake-up, while the replies to the first wait for the last (measured: 1.7 datagrams per recvmmsg). A read
     * that filled every slot may have left more: Netty reads again at once, without waiting for epoll. Each
     * channel reads into a buffer of its own ({@link ReceiveBuffers}).
     */
    private RecvByteBufAllocator receiveAllocator(Transport transport) {
        if (transport == Transport.EPOLL) {
            return receiveBuffers;
        }
        return new FixedRecvByteBufAllocator(DatagramLimits.RECEIVE_BUFFER_SIZE).maxMessagesPerRead(READ_BATCH);
    }

    private Channel register(InetAddress address) {
        Transport transport = config.transport();
        int index = channels.size();
        boolean firstOfGroup = locals.isEmpty() || !address.equals(locals.get(locals.size() - 1));
        boolean wildcard = address.isAnyLocalAddress();
        boolean segments = transport == Transport.EPOLL && SEGMENTATION
                && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        EchoHandler handler = new EchoHandler(config.prefix(), wildcard, segments, sender -> responders.make(index,
                new ServerCounters(), sender, wildcard, firstOfGroup));
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> NettyChannels.newChannel(transport, address))
                .option(ChannelOption.RECVBUF_ALLOCATOR, receiveAllocator(transport))
                .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(MAX_PENDING_BYTES / 2, MAX_PENDING_BYTES))
                .handler(handler);
        if (transport == Transport.EPOLL) {
            // Without it epoll reads one datagram per system call; with it, up to a batch with one recvmmsg.
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DatagramLimits.RECEIVE_BUFFER_SIZE);
            // From a pool: Netty's default allocator hands a buffer that large out fresh, zeroed, on each read.
            bootstrap.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
            // No UDP_GRO (Engine.GRO): Netty 4.2.18's recvmmsg passes no room for control messages, so a merged
            // run would arrive as one datagram without its segment size (netty/netty#17492, fixed in a later release).
        }
        if (wildcard) {
            bootstrap.option(EpollChannelOption.IP_RECVORIGDSTADDR, true); // only epoll has a wildcard socket
        }
        if (sharesPort) {
            if (transport == Transport.EPOLL) {
                bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
            } else {
                bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
        }
        ChannelFuture future = bootstrap.register().syncUninterruptibly();
        channels.add(future.channel());
        locals.add(address);
        counters.add(handler.counters());
        return future.channel();
    }

    /**
     * Binds every channel; an address of the host's that cannot be bound (gone since it was listed) is left
     * out, one asked for fails the whole.
     */
    @Override
    public List<InetSocketAddress> bind(int port) throws BindFailedException {
        List<InetSocketAddress> bound = new ArrayList<>();
        Throwable lastCause = null;
        for (int i = 0; i < channels.size(); i++) {
            InetSocketAddress target = new InetSocketAddress(locals.get(i), port);
            ChannelFuture future = channels.get(i).bind(target).awaitUninterruptibly();
            if (!future.isSuccess()) {
                if (asked.contains(locals.get(i)) || locals.get(i).isAnyLocalAddress()) {
                    close();
                    throw new BindFailedException(target, future.cause());
                }
                lastCause = future.cause();
                channels.get(i).close().awaitUninterruptibly();
                channels.remove(i);
                locals.remove(i);
                counters.remove(i);
                i--;
                continue;
            }
            InetSocketAddress local = (InetSocketAddress) channels.get(i).localAddress();
            port = local.getPort();
            if (!bound.contains(local)) {
                bound.add(local);
            }
        }
        if (bound.isEmpty()) {
            close();
            throw new BindFailedException(new InetSocketAddress(asked.get(0), port),
                    lastCause != null ? lastCause : new IOException("no address of this host to bind"));
        }
        return bound;
    }

    private static InetAddress ipv4Any() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public List<ServerCounters> counters() {
        List<ServerCounters> all = new ArrayList<>(counters);
        all.addAll(responders.senderCounters());
        return all;
    }

    @Override
    public int receiveBufferGranted() {
        int granted = Integer.MAX_VALUE;
        for (Channel c : channels) {
            // Linux reports twice what it grants, keeping the other half for its own bookkeeping.
            granted = Math.min(granted, ((DatagramChannel) c).config().getReceiveBufferSize() / 2);
        }
        return granted;
    }

    @Override
    public long kernelDrops() {
        InetSocketAddress local = channels.isEmpty() ? null : (InetSocketAddress) channels.get(0).localAddress();
        return local == null ? 0 : Math.max(0, ProcNetUdp.drops(local.getPort()));
    }

    @Override
    public boolean sharesPort() {
        return sharesPort;
    }

    @Override
    public boolean isServing() {
        if (closed || group.isShuttingDown()) {
            return false;
        }
        for (Channel c : channels) {
            if (!c.isActive()) {
                return false;
            }
        }
        return !channels.isEmpty();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        responders.close();
        for (Channel c : channels) {
            c.close();
        }
        group.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
        if (group.isTerminated()) {
            receiveBuffers.release(); // else a loop may still read into them: they stay taken from the pool
        }
    }
}
