package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.net.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Receive → decide → reply on Netty's transports (epoll, NIO), for one channel; the portable path. The
 * decision is the {@link Responder}'s, as on the native path.
 *
 * <p>Replies are written one by one and flushed once per read batch in {@link #channelReadComplete}, so the
 * epoll transport can hand them to the kernel together (sendmmsg). Netty allocates a packet and an address per
 * datagram here; the native path does not.
 *
 * <p>One instance per channel, used only on that channel's event loop. It keeps no per-client state.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {
    private final Transport transport;
    private final byte[] prefix;
    private final Responder responder;
    private final PeerAddress source = new PeerAddress();

    EchoHandler(Transport transport, byte[] prefix, Responder responder) {
        this.transport = transport;
        this.prefix = prefix;
        this.responder = responder;
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
            ctx.write(new DatagramPacket(reply, sender), ctx.voidPromise());
            responder.counters().onReplied(1, replyLength);
        } finally {
            packet.release();
        }
    }

    private void sendEmpty(ChannelHandlerContext ctx, InetSocketAddress sender) {
        ctx.flush();
        try {
            transport.sendEmpty(ctx.channel(), sender);
            responder.counters().onReplied(1, 0);
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
