package dev.udpecho.server;

import dev.udpecho.impairment.Impairer;
import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.ProcNetUdp;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.DropNotices;
import dev.udpecho.policy.ReplyPolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server on Netty's transports (epoll or NIO): one channel per socket, each on its own event loop, with an
 * {@link EchoHandler}. The portable path. A wildcard binding also gets channels bound to each of the host's
 * addresses ({@link HostAddresses}), so that replies leave from the address they were sent to.
 */
final class NettyEngine implements Engine {
    /** Bytes of replies that may wait for the socket; past that, replies are dropped and counted. */
    static final int MAX_PENDING_BYTES = 4 << 20;

    private final ServerConfig config;
    private final ReplyPolicy policy;
    private final ServerLog log;
    private final DropNotices dropNotices;
    private final boolean sharesPort;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetAddress> locals = new ArrayList<>();
    /** One per channel, in channel order. */
    private final List<ServerCounters> counters = new ArrayList<>();
    private final List<DelayedReplies> delayed = new ArrayList<>();
    /** The counters of the threads that send delayed replies. */
    private final List<ServerCounters> senders = new ArrayList<>();
    private volatile boolean closed;

    NettyEngine(ServerConfig config, List<InetAddress> addresses, ReplyPolicy policy, ServerLog log,
                DropNotices dropNotices) {
        this.config = config;
        this.policy = policy;
        this.log = log;
        this.dropNotices = dropNotices;
        this.sharesPort = config.workers() > 1 || addresses.stream().anyMatch(InetAddress::isAnyLocalAddress);
        List<InetAddress> host = HostAddresses.under(addresses);
        this.group = new MultiThreadIoEventLoopGroup((addresses.size() + host.size()) * config.workers(),
                new DefaultThreadFactory("udpecho-worker", true), NettyChannels.ioHandlerFactory(config.transport()));
        try {
            for (InetAddress address : addresses) {
                for (int w = 0; w < config.workers(); w++) {
                    register(address);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Channel register(InetAddress address) {
        Transport transport = config.transport();
        int index = channels.size();
        EchoHandler handler = new EchoHandler(config.prefix(), sender -> responder(index, sender));
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> NettyChannels.newChannel(transport, address))
                // The fixed allocator reads one datagram per wake-up unless told otherwise: a system call wasted per
                // datagram. Read up to a batch, as the channel's own default allocator would.
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(DatagramLimits.RECEIVE_BUFFER_SIZE).maxMessagesPerRead(16))
                .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(MAX_PENDING_BYTES / 2, MAX_PENDING_BYTES))
                .handler(handler);
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

    /** @return the responder of channel {@code i}, with what impairs its replies if asked. */
    private Responder responder(int i, DatagramSender sender) {
        ServerCounters channelCounters = new ServerCounters();
        Impairments impairments = config.impairments();
        Impairer impairer = impairments.isOn() ? new Impairer(impairments, i) : null;
        DelayedReplies waiting = null;
        if (impairments.delays()) {
            ServerCounters senderCounters = new ServerCounters();
            waiting = new DelayedReplies(sender, senderCounters, log, impairments.maxDelayed(), "udpecho-delay-" + i);
            delayed.add(waiting);
            senders.add(senderCounters);
        }
        return new Responder(config.prefix(), policy, channelCounters, log, dropNotices, impairer, waiting);
    }

    @Override
    public List<InetSocketAddress> bind(int port) throws BindFailedException {
        List<InetSocketAddress> bound = new ArrayList<>();
        int requested = channels.size();
        for (int i = 0; i < requested; i++) {
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
        bindHostAddresses(port, requested);
        return bound;
    }

    /** An address that cannot be bound (gone since it was listed) is left to the wildcard channels. */
    private void bindHostAddresses(int port, int requested) {
        for (InetAddress address : HostAddresses.under(locals.subList(0, requested))) {
            for (int w = 0; w < config.workers(); w++) {
                Channel channel = register(address);
                if (!channel.bind(new InetSocketAddress(address, port)).awaitUninterruptibly().isSuccess()) {
                    channel.close().awaitUninterruptibly();
                    int last = channels.size() - 1;
                    channels.remove(last);
                    locals.remove(last);
                    counters.remove(last);
                    break;
                }
            }
        }
    }

    @Override
    public List<ServerCounters> counters() {
        List<ServerCounters> all = new ArrayList<>(counters);
        all.addAll(senders);
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
        for (DelayedReplies d : delayed) {
            d.close();
        }
        for (Channel c : channels) {
            c.close();
        }
        group.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
}
