package dev.udpecho.server;

import dev.udpecho.impairment.Impairer;
import dev.udpecho.impairment.Impairment;
import dev.udpecho.net.PeerAddress;
import dev.udpecho.net.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Receive → decide → reply on Netty's transports (epoll, NIO), for one channel; the portable path. The
 * decision is the {@link Responder}'s, as on the native path.
 *
 * <p>Replies are written one by one and flushed once per read batch in {@link #channelReadComplete}, so the
 * epoll transport can hand them to the kernel together (sendmmsg). Netty allocates a packet and an address per
 * datagram here; the native path does not. With impairments, an {@link Impairer} decides what happens to each
 * reply; delayed ones wait on the event loop's scheduler.
 *
 * <p>One instance per channel, used only on that channel's event loop. It keeps no per-client state.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {
    private static final long HOLD_LIMIT_NANOS = 100_000_000L;

    private final Transport transport;
    private final byte[] prefix;
    private final Responder responder;
    private final ServerCounters counters;
    private final Impairer impairer;
    private final int maxWaiting;
    private final PeerAddress source = new PeerAddress();
    private final ArrayDeque<DatagramPacket> held = new ArrayDeque<>();
    private int waiting;

    /**
     * @param impairer   what to do to replies, or {@code null} for nothing.
     * @param maxWaiting replies that may wait at once (delayed or held back).
     */
    EchoHandler(Transport transport, byte[] prefix, Responder responder, Impairer impairer, int maxWaiting) {
        this.transport = transport;
        this.prefix = prefix;
        this.responder = responder;
        this.counters = responder.counters();
        this.impairer = impairer;
        this.maxWaiting = maxWaiting;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            ByteBuf data = packet.content();
            InetSocketAddress sender = packet.sender();
            int replyLength = responder.onDatagram(source.set(sender), data);
            if (replyLength < 0) {
                return;
            }
            if (replyLength == 0) {
                sendEmpty(ctx, sender);
                return;
            }
            ByteBuf reply = ctx.alloc().directBuffer(replyLength, replyLength);
            reply.writeBytes(prefix).writeBytes(data, data.readerIndex(), data.readableBytes());
            if (impairer == null) {
                ctx.write(new DatagramPacket(reply, sender), ctx.voidPromise());
                counters.onReplied(1, replyLength);
            } else {
                impair(ctx, new DatagramPacket(reply, sender));
            }
        } finally {
            packet.release();
        }
    }

    private void impair(ChannelHandlerContext ctx, DatagramPacket reply) {
        int actions = impairer.decide();
        if (actions == Impairer.LOSE) {
            reply.release();
            counters.onImpaired(Impairment.LOST);
            return;
        }
        ByteBuf content = reply.content();
        int payloadLength = content.readableBytes() - prefix.length;
        if ((actions & Impairer.CORRUPT) != 0 && payloadLength > 0) {
            int at = prefix.length + impairer.corruptIndex(payloadLength);
            content.setByte(at, content.getByte(at) ^ impairer.corruptMask());
            counters.onImpaired(Impairment.CORRUPTED);
        }
        if ((actions & Impairer.TRUNCATE) != 0) {
            content.writerIndex(impairer.truncatedLength(content.readableBytes()));
            counters.onImpaired(Impairment.TRUNCATED);
        }
        DatagramPacket second = null;
        if ((actions & Impairer.DUPLICATE) != 0) {
            second = reply.retainedDuplicate();
            counters.onImpaired(Impairment.DUPLICATED);
        }
        boolean delay = (actions & Impairer.DELAY) != 0;
        boolean reorder = (actions & Impairer.REORDER) != 0;
        if (!delay && !reorder) {
            send(ctx, reply);
            if (second != null) {
                send(ctx, second);
            }
            releaseHeld(ctx, 0);
            return;
        }
        int copies = second == null ? 1 : 2;
        if (waiting + copies > maxWaiting) {
            reply.release();
            if (second != null) {
                second.release();
            }
            counters.onImpaired(Impairment.OVERFLOWED);
            return;
        }
        waiting += copies;
        if (reorder) {
            counters.onImpaired(Impairment.REORDERED);
            if (held.isEmpty()) {
                ctx.executor().schedule(() -> releaseHeld(ctx, 0), HOLD_LIMIT_NANOS, TimeUnit.NANOSECONDS);
            }
            held.add(reply);
            if (second != null) {
                held.add(second);
            }
            return;
        }
        counters.onImpaired(Impairment.DELAYED);
        long nanos = impairer.delayNanos();
        later(ctx, reply, nanos);
        if (second != null) {
            later(ctx, second, nanos);
        }
        releaseHeld(ctx, nanos + 1_000);
    }

    private void send(ChannelHandlerContext ctx, DatagramPacket reply) {
        int length = reply.content().readableBytes();
        if (length == 0) {
            // Truncated to nothing: Netty would skip it silently.
            InetSocketAddress to = reply.recipient();
            reply.release();
            sendEmpty(ctx, to);
            return;
        }
        ctx.write(reply, ctx.voidPromise());
        counters.onReplied(1, length);
    }

    private void later(ChannelHandlerContext ctx, DatagramPacket reply, long nanos) {
        ctx.executor().schedule(() -> {
            waiting--;
            send(ctx, reply);
            ctx.flush();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    /** Sends what was held back, after the reply just queued: {@code afterNanos} from now. */
    private void releaseHeld(ChannelHandlerContext ctx, long afterNanos) {
        while (!held.isEmpty()) {
            DatagramPacket reply = held.poll();
            if (afterNanos == 0) {
                waiting--;
                send(ctx, reply);
            } else {
                later(ctx, reply, afterNanos);
            }
        }
        if (afterNanos == 0) {
            ctx.flush();
        }
    }

    private void sendEmpty(ChannelHandlerContext ctx, InetSocketAddress sender) {
        ctx.flush();
        try {
            transport.sendEmpty(ctx.channel(), sender);
            counters.onReplied(1, 0);
        } catch (IOException e) {
            responder.onError(e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /** Errors concern one peer at most: counted and shown by the responder; the channel stays open. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        responder.onError(cause);
    }
}
