import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A reference for the benchmarks: the UDP echo server most people would write with Netty, as in Netty's
 * examples/udp. Native epoll, one handler, a write per datagram and one flush per read batch, and no tuning
 * at all (default allocator, receive buffer and options).
 *
 * <p>Run from the source, with Netty from udpecho's shaded jar:
 * {@code java -cp udpecho-cli/target/udpecho.jar bench/servers/NaiveNettyEcho.java PORT} (0 picks a free port).
 * Answers each datagram with {@code OK...} followed by its bytes.
 */
public final class NaiveNettyEcho {
    private static final byte[] PREFIX = "OK...".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: java -cp udpecho.jar NaiveNettyEcho.java PORT");
            System.exit(2);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(EpollDatagramChannel.class)
                    .handler(new EchoHandler())
                    .bind(Integer.parseInt(args[0])).sync().channel();
            InetSocketAddress local = (InetSocketAddress) channel.localAddress();
            System.out.println("Listening on udp://" + host(local.getAddress()) + ":" + local.getPort());
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    private static String host(InetAddress address) {
        if (address instanceof Inet6Address) {
            return address.isAnyLocalAddress() ? "[::]" : "[" + address.getHostAddress() + "]";
        }
        return address.getHostAddress();
    }

    private static final class EchoHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf data = packet.content();
            ByteBuf reply = ctx.alloc().buffer(PREFIX.length + data.readableBytes());
            reply.writeBytes(PREFIX).writeBytes(data);
            ctx.write(new DatagramPacket(reply, packet.sender()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // One peer's error (an ICMP report): say so and keep serving everyone else.
            System.err.println("NaiveNettyEcho: " + cause);
        }
    }
}
