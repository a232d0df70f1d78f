package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.DropReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.socket.DatagramPacket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * Netty's transports (epoll, NIO) for one channel: hands each datagram to the {@link Responder} and writes the
 * replies it queues, flushing once per read batch in {@link #channelReadComplete} so that epoll can hand them
 * to the kernel together (sendmmsg). A reply is counted when the kernel took it, as on the native transport.
 *
 * <p>Pending replies are bounded by the channel's write buffer high water mark: a reply that finds the channel
 * unwritable is not queued, and is counted as {@link DropReason#SEND_QUEUE_FULL}.
 *
 * <p>One instance per channel, used on that channel's event loop; {@link #send} is called by the thread of its
 * {@link DelayedReplies}. Netty allocates a packet and an address per datagram here; the native path does not.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter implements ReplyQueue, DatagramSender {
    private final byte[] prefix;
    private final Responder responder;
    private final ServerCounters counters;
    private final PeerAddress source = new PeerAddress();
    private final PeerAddress destination = new PeerAddress();
    private final boolean reportsDestination;
    private final ChannelFutureListener counted;
    /**
     * Set once, on the event loop, before the first datagram; the thread of {@link DelayedReplies} sees it
     * through its queue, which it takes replies from only after a datagram came.
     */
    private ChannelHandlerContext ctx;
    /** The datagram being decided on, its sender and where it was sent. */
    private ByteBuf data;
    private InetSocketAddress sender;
    private InetSocketAddress recipient;

    /** A write's promise that knows the size of what it wrote, to count it once the kernel took it. */
    private static final class Written extends DefaultChannelPromise {
        final int length;

        Written(Channel channel, int length) {
            super(channel);
            this.length = length;
        }
    }

    /**
     * @param prefix             bytes before each reply.
     * @param reportsDestination whether the channel reports each datagram's destination (a wildcard epoll
     *                           channel with IP_RECVORIGDSTADDR; IPv4 only).
     * @param responders         makes this channel's responder, given how it sends replies that waited.
     */
    EchoHandler(byte[] prefix, boolean reportsDestination, Function<DatagramSender, Responder> responders) {
        this.prefix = prefix.clone();
        this.reportsDestination = reportsDestination;
        this.responder = responders.apply(this);
        this.counters = responder.counters();
        this.counted = future -> {
            if (future.isSuccess()) {
                counters.onReplied(1, ((Written) future).length);
            } else {
                responder.onError(future.cause());
            }
        };
    }

    ServerCounters counters() {
        return counters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            data = packet.content();
            sender = packet.sender();
            recipient = packet.recipient();
            responder.onDatagram(source.set(sender), data.nioBuffer(data.readerIndex(), data.readableBytes()), this);
        } finally {
            data = null;
            packet.release();
        }
    }

    @Override
    public void reply(int length) {
        ChannelHandlerContext ctx = this.ctx;
        if (!ctx.channel().isWritable()) {
            responder.drop(source, DropReason.SEND_QUEUE_FULL);
            return;
        }
        if (length == 0) {
            ctx.flush(); // after what is queued, so that replies to one peer stay in order
            try {
                NettyChannels.sendEmpty(ctx.channel(), sender);
                counters.onReplied(1, 0);
            } catch (IOException e) {
                responder.onError(e);
            }
            return;
        }
        ByteBuf reply = ctx.alloc().directBuffer(length, length);
        int fromPrefix = Math.min(length, prefix.length);
        reply.writeBytes(prefix, 0, fromPrefix).writeBytes(data, data.readerIndex(), length - fromPrefix);
        ctx.write(new DatagramPacket(reply, sender), new Written(ctx.channel(), length).addListener(counted));
    }

    /**
     * @return where the datagram was sent, on a channel that reports it; {@code null} on a channel bound to one
     *     address, whose replies leave from it (see {@link HostAddresses}).
     */
    @Override
    public PeerAddress replyFrom() {
        if (!reportsDestination || recipient == null || recipient.getAddress().isAnyLocalAddress()) {
            return null;
        }
        return destination.set(recipient);
    }

    /** Sends a reply that waited, from the thread of {@link DelayedReplies}; counted by it. */
    @Override
    public void send(byte[] datagram, PeerAddress to, PeerAddress from) throws IOException {
        Channel channel = ctx.channel();
        if (datagram.length == 0) {
            NettyChannels.sendEmpty(channel, to.toSocketAddress());
            return;
        }
        ChannelFuture written = channel.writeAndFlush(
                new DatagramPacket(Unpooled.wrappedBuffer(datagram), to.toSocketAddress())).awaitUninterruptibly();
        if (!written.isSuccess()) {
            Throwable cause = written.cause();
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        responder.onBatchSent();
    }

    /** Errors concern one peer at most: counted and shown by the responder; the channel stays open. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        responder.onError(cause);
    }
}
