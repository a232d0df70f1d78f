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
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server on Netty's transports (epoll or NIO): one channel per socket, each on its own event loop, with an
 * {@link EchoHandler}. The portable path.
 */
final class NettyEngine implements Engine {
    private final ServerConfig config;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetAddress> locals = new ArrayList<>();
    private final List<ServerCounters> counters = new ArrayList<>();
    private volatile boolean closed;

    NettyEngine(ServerConfig config, List<InetAddress> addresses, ReplyPolicy policy, ServerLog log,
                DropNotices dropNotices) {
        this.config = config;
        this.group = new MultiThreadIoEventLoopGroup(addresses.size() * config.workers(),
                new DefaultThreadFactory("udpecho-worker", true), config.transport().ioHandlerFactory());
        try {
            for (InetAddress address : addresses) {
                for (int w = 0; w < config.workers(); w++) {
                    Impairments impairments = config.impairments();
                    Impairer impairer = impairments.isOn() ? new Impairer(impairments, channels.size()) : null;
                    register(address, new Responder(config.prefix().length, policy, new ServerCounters(), log,
                            dropNotices), impairer);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void register(InetAddress address, Responder responder, Impairer impairer) {
        Transport transport = config.transport();
        byte[] prefix = config.prefix();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> transport.newChannel(address))
                // The fixed allocator reads one datagram per wake-up unless told otherwise: a system call wasted per
                // datagram. Read up to a batch, as the channel's own default allocator would.
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(DatagramLimits.RECEIVE_BUFFER_SIZE).maxMessagesPerRead(16))
                .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                .handler(new EchoHandler(transport, prefix, responder, impairer, config.impairments().maxDelayed()));
        if (config.workers() > 1) {
            if (transport == Transport.EPOLL) {
                bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
            } else {
                bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
        }
        ChannelFuture future = bootstrap.register().syncUninterruptibly();
        channels.add(future.channel());
        locals.add(address);
        counters.add(responder.counters());
    }

    @Override
    public List<InetSocketAddress> bind(int port) throws BindFailedException {
        List<InetSocketAddress> bound = new ArrayList<>();
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
        return bound;
    }

    @Override
    public List<ServerCounters> counters() {
        return counters;
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
        return config.workers() > 1;
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
        for (Channel c : channels) {
            c.close();
        }
        group.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
}
