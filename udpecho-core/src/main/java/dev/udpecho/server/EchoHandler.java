package dev.udpecho.server;

import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The hot path: receive → decide → reply, for one socket.
 *
 * <p>Each datagram is counted, shown in the log, put to the {@link ReplyPolicy}, and answered with the prefix
 * followed by its bytes, unchanged, to the address and port it came from. Replies are written one by one and
 * flushed once per read batch in {@link #channelReadComplete}, so the epoll transport can hand them to the
 * kernel together (sendmmsg).
 *
 * <p>One instance per channel, used only on that channel's event loop. It keeps no per-client state.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {
    private static final long ERROR_NOTICE_INTERVAL_NANOS = 1_000_000_000L;

    private final Transport transport;
    private final byte[] prefix;
    private final ReplyPolicy policy;
    private final ServerCounters counters;
    private final ServerLog log;
    private long lastErrorNotice;
    private long errorsNotShown;

    EchoHandler(Transport transport, byte[] prefix, ReplyPolicy policy, ServerCounters counters, ServerLog log) {
        this.transport = transport;
        this.prefix = prefix;
        this.policy = policy;
        this.counters = counters;
        this.log = log;
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
            int length = data.readableBytes();
            counters.onReceived(length);
            log.message(sender, data);

            DropReason reason = policy.decide(sender, data);
            int replyLength = prefix.length + length;
            if (reason == null && replyLength > DatagramLimits.maxPayload(sender.getAddress())) {
                reason = DropReason.OVERSIZE;
            }
            if (reason != null) {
                counters.onDropped(reason);
                return;
            }
            if (replyLength == 0) {
                sendEmpty(ctx, sender);
                return;
            }
            ByteBuf reply = ctx.alloc().directBuffer(replyLength, replyLength);
            reply.writeBytes(prefix).writeBytes(data, data.readerIndex(), length);
            ctx.write(new DatagramPacket(reply, sender), ctx.voidPromise());
            counters.onReplied(replyLength);
        } finally {
            packet.release();
        }
    }

    private void sendEmpty(ChannelHandlerContext ctx, InetSocketAddress sender) {
        ctx.flush();
        try {
            transport.sendEmpty(ctx.channel(), sender);
            counters.onReplied(0);
        } catch (IOException e) {
            exceptionCaught(ctx, e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /**
     * A failed send or a receive error concerns one peer at most (an ICMP report, a refused route): count it,
     * say what it was at most once a second, and keep serving everyone else. The channel stays open.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.onError();
        long now = System.nanoTime();
        if (lastErrorNotice != 0 && now - lastErrorNotice < ERROR_NOTICE_INTERVAL_NANOS) {
            errorsNotShown++;
            return;
        }
        lastErrorNotice = now;
        String more = errorsNotShown == 0 ? "" : " (and " + errorsNotShown + " more not shown)";
        errorsNotShown = 0;
        log.notice("Socket error: " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + more);
    }
}
