package dev.udpecho.server;

import dev.udpecho.net.DatagramLimits;
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
import io.netty.channel.unix.SegmentedDatagramPacket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Netty's transports (epoll, NIO) for one channel: hands each datagram to the {@link Responder} and writes the
 * replies it queues, flushing once per read batch in {@link #channelReadComplete} so that epoll can hand them
 * to the kernel together (sendmmsg). A reply is counted when the kernel took it, as on the native transport.
 *
 * <p>On epoll, consecutive replies to one peer of one size (the last may be shorter) are written as one
 * segmented packet (UDP_SEGMENT), as the native transport sends them: the kernel routes and queues one large
 * packet and cuts it into the same datagrams. A segmented write the kernel refuses (a path MTU below the segment
 * size) is written again one reply at a time, and replies that long are not segmented again.
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
    private final boolean segments;
    private final ChannelFutureListener counted;
    private final ChannelFutureListener segmentedCounted;
    /** Whether a protocol writes replies over the datagrams (see {@link Answerer#MIN_ROOM}). */
    private final boolean answers;
    /** Where a datagram is copied to when its own buffer has too little room for the reply; made when needed. */
    private ByteBuf room;
    /** Replies of this length or longer are not segmented: a segmented write of that size was refused. */
    private int segmentLimit = MAX_SEGMENTED_BYTES + 1;
    /** The run of replies being gathered for one segmented write, or {@code null}. */
    private ByteBuf run;
    private InetSocketAddress runTo;
    private int runSegment;
    private int runCount;
    /**
     * Set once, on the event loop, before the first datagram; the thread of {@link DelayedReplies} sees it
     * through its queue, which it takes replies from only after a datagram came.
     */
    private ChannelHandlerContext ctx;
    /** The datagram being decided on, its sender and where it was sent. */
    private ByteBuf data;
    private InetSocketAddress sender;
    private InetSocketAddress recipient;

    /** Most segments per segmented write: the kernel's UDP_MAX_SEGMENTS before Linux 6.2. */
    static final int MAX_SEGMENTS = 64;
    /** Most bytes per segmented write: what one IPv4 datagram carries. */
    static final int MAX_SEGMENTED_BYTES = 65_507;

    /** A write's promise that knows what it wrote, to count it once the kernel took it. */
    private static class Written extends DefaultChannelPromise {
        final int replies;
        final int length;

        Written(Channel channel, int replies, int length) {
            super(channel);
            this.replies = replies;
            this.length = length;
        }
    }

    /** A segmented write's promise: holds the replies, to write them one by one if the kernel refuses it. */
    private static final class SegmentedWritten extends Written {
        final ByteBuf data;
        final InetSocketAddress to;
        final int segment;

        SegmentedWritten(Channel channel, int replies, ByteBuf data, InetSocketAddress to, int segment) {
            super(channel, replies, data.readableBytes());
            this.data = data;
            this.to = to;
            this.segment = segment;
        }
    }

    /**
     * @param prefix             bytes before each reply.
     * @param reportsDestination whether the channel reports each datagram's destination (a wildcard epoll
     *                           channel with IP_RECVORIGDSTADDR; IPv4 only).
     * @param responders         makes this channel's responder, given how it sends replies that waited.
     */
    EchoHandler(byte[] prefix, boolean reportsDestination, Function<DatagramSender, Responder> responders) {
        this(prefix, reportsDestination, false, responders);
    }

    /**
     * @param segments whether to write runs of replies as segmented packets (an epoll channel on a kernel that
     *                 has UDP_SEGMENT).
     */
    EchoHandler(byte[] prefix, boolean reportsDestination, boolean segments,
                Function<DatagramSender, Responder> responders) {
        this.prefix = prefix.clone();
        this.reportsDestination = reportsDestination;
        this.segments = segments;
        this.responder = responders.apply(this);
        this.counters = responder.counters();
        this.answers = responder.answers();
        this.counted = future -> {
            if (future.isSuccess()) {
                Written w = (Written) future;
                counters.onReplied(w.replies, w.length);
            } else {
                responder.onError(future.cause());
            }
        };
        this.segmentedCounted = future -> {
            SegmentedWritten w = (SegmentedWritten) future;
            try {
                if (future.isSuccess()) {
                    counters.onReplied(w.replies, w.length);
                } else {
                    writeEach(w);
                }
            } finally {
                w.data.release();
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
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (room != null) {
            room.release();
            room = null;
        }
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
            responder.onDatagram(source.set(sender), answers ? roomyPayload() : data.nioBuffer(data.readerIndex(),
                    data.readableBytes()), this);
        } finally {
            data = null;
            packet.release();
        }
    }

    /**
     * @return the datagram as a buffer a protocol's reply can be written over, in place: the datagram's own
     *     memory when it has room for {@link Answerer#MIN_ROOM} bytes (epoll's batched reads hand over slices
     *     exactly as long as each datagram), else a copy in this handler's own buffer, which {@link #data} then
     *     names.
     */
    private ByteBuffer roomyPayload() {
        int length = data.readableBytes();
        if (data.capacity() - data.readerIndex() < Answerer.MIN_ROOM || data.nioBufferCount() != 1
                || data.isReadOnly()) {
            if (room == null) {
                room = ctx.alloc().directBuffer(DatagramLimits.RECEIVE_BUFFER_SIZE, DatagramLimits.RECEIVE_BUFFER_SIZE);
            }
            room.clear().writeBytes(data, data.readerIndex(), length);
            data = room;
        }
        return data.nioBuffer(data.readerIndex(), data.capacity() - data.readerIndex()).limit(length);
    }

    @Override
    public int receivedTtl() {
        return -1; // Netty's datagram channels do not report it
    }

    @Override
    public int receivedTos() {
        return -1;
    }

    @Override
    public void reply(int length) {
        ChannelHandlerContext ctx = this.ctx;
        if (!ctx.channel().isWritable()) {
            responder.drop(source, DropReason.SEND_QUEUE_FULL);
            return;
        }
        if (segments && length > 0 && length < segmentLimit) {
            gather(length);
            return;
        }
        writeRun(); // what was gathered goes first, so that replies to one peer stay in order
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
        ctx.write(new DatagramPacket(reply, sender), new Written(ctx.channel(), 1, length).addListener(counted));
    }

    /** Adds the reply to the run, after writing the run if the reply cannot join it. */
    private void gather(int length) {
        if (run != null && (runCount == MAX_SEGMENTS || length > runSegment
                || run.readableBytes() + length > MAX_SEGMENTED_BYTES || !sender.equals(runTo))) {
            writeRun();
        }
        if (run == null) {
            run = ctx.alloc().directBuffer(Math.min(MAX_SEGMENTED_BYTES, 16 * length), MAX_SEGMENTED_BYTES);
            runTo = sender;
            runSegment = length;
        }
        int fromPrefix = Math.min(length, prefix.length);
        run.writeBytes(prefix, 0, fromPrefix).writeBytes(data, data.readerIndex(), length - fromPrefix);
        runCount++;
        if (length < runSegment) {
            writeRun(); // only the last segment may be shorter
        }
    }

    /** Writes the run gathered, if any: one segmented packet, or a plain one for a run of one. */
    private void writeRun() {
        ByteBuf data = run;
        if (data == null) {
            return;
        }
        run = null;
        Channel channel = ctx.channel();
        if (runCount == 1) {
            ctx.write(new DatagramPacket(data, runTo), new Written(channel, 1, data.readableBytes()).addListener(counted));
        } else {
            // Kept until the kernel took it, to write it again one reply at a time if it refuses it.
            data.retain();
            ctx.write(new SegmentedDatagramPacket(data, runSegment, runTo),
                    new SegmentedWritten(channel, runCount, data, runTo, runSegment).addListener(segmentedCounted));
        }
        runCount = 0;
    }

    /** A segmented write the kernel refused: never segment replies this long again, and write each. */
    private void writeEach(SegmentedWritten refused) {
        segmentLimit = Math.min(segmentLimit, refused.segment);
        ByteBuf data = refused.data;
        for (int at = 0; at < data.writerIndex(); at += refused.segment) {
            int length = Math.min(refused.segment, data.writerIndex() - at);
            ctx.write(new DatagramPacket(data.retainedSlice(at, length), refused.to),
                    new Written(ctx.channel(), 1, length).addListener(counted));
        }
        // Called while Netty flushes, which ignores a flush from inside: flush once it is done.
        ctx.channel().eventLoop().execute(ctx::flush);
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
        writeRun();
        ctx.flush();
        responder.onBatchSent();
    }

    /** Errors concern one peer at most: counted and shown by the responder; the channel stays open. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        responder.onError(cause);
    }
}
