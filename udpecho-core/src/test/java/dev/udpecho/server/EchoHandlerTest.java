package dev.udpecho.server;

import dev.udpecho.policy.DropNotices;
import dev.udpecho.policy.DropReason;
import dev.udpecho.policy.ReplyPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Reply assembly and counting, without sockets. */
class EchoHandlerTest {
    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 46622);
    private static final InetSocketAddress V6 = new InetSocketAddress("::1", 5000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8888);

    private final ServerCounters counters = new ServerCounters();

    private EmbeddedChannel channel(String prefix, ReplyPolicy policy) {
        byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
        Responder responder = new Responder(bytes, policy, counters, ServerLog.SILENT, new DropNotices(line -> { }),
                null, null, null, true);
        return new EmbeddedChannel(new EchoHandler(bytes, false, sender -> responder));
    }

    private static DatagramPacket datagram(byte[] payload, InetSocketAddress from) {
        return new DatagramPacket(Unpooled.wrappedBuffer(payload), LOCAL, from);
    }

    private static byte[] replyBytes(DatagramPacket reply) {
        try {
            return ByteBufUtil.getBytes(reply.content());
        } finally {
            reply.release();
        }
    }

    @Test
    void replyIsPrefixThenTheExactBytesToTheSender() {
        EmbeddedChannel ch = channel("OK...", ReplyPolicy.ALWAYS);
        byte[] binary = {0, (byte) 0xff, '\n', 0x1b, 'h', 'i'};
        ch.writeInbound(datagram(binary, V4));
        DatagramPacket reply = ch.readOutbound();
        assertThat(reply.recipient()).isEqualTo(V4);
        assertThat(replyBytes(reply)).containsExactly('O', 'K', '.', '.', '.', 0, (byte) 0xff, '\n', 0x1b, 'h', 'i');
        assertThat(counters.get(ServerCounters.RECEIVED)).isEqualTo(1);
        assertThat(counters.get(ServerCounters.BYTES_RECEIVED)).isEqualTo(6);
        assertThat(counters.get(ServerCounters.REPLIED)).isEqualTo(1);
        assertThat(counters.get(ServerCounters.BYTES_SENT)).isEqualTo(11);
        ch.finishAndReleaseAll();
    }

    @Test
    void emptyDatagramGetsTheBarePrefix() {
        EmbeddedChannel ch = channel("OK...", ReplyPolicy.ALWAYS);
        ch.writeInbound(datagram(new byte[0], V4));
        assertThat(replyBytes(ch.readOutbound())).asString(StandardCharsets.US_ASCII).isEqualTo("OK...");
        assertThat(counters.get(ServerCounters.EMPTY)).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void emptyPrefixIsAPlainEcho() {
        EmbeddedChannel ch = channel("", ReplyPolicy.ALWAYS);
        ch.writeInbound(datagram("ping".getBytes(StandardCharsets.US_ASCII), V6));
        DatagramPacket reply = ch.readOutbound();
        assertThat(reply.recipient()).isEqualTo(V6);
        assertThat(replyBytes(reply)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
        ch.finishAndReleaseAll();
    }

    @Test
    void replyOverTheProtocolMaximumIsNotSentButCounted() {
        EmbeddedChannel ch = channel("OK...", ReplyPolicy.ALWAYS);
        ch.writeInbound(datagram(new byte[65_507 - 5], V4)); // exactly the IPv4 maximum with the prefix
        ch.writeInbound(datagram(new byte[65_507 - 4], V4)); // one byte over
        ch.writeInbound(datagram(new byte[65_507 - 4], V6)); // fits over IPv6
        assertThat(replyBytes(ch.readOutbound())).hasSize(65_507);
        assertThat(replyBytes(ch.readOutbound())).hasSize(65_508);
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(counters.dropped(DropReason.OVERSIZE)).isEqualTo(1);
        assertThat(counters.get(ServerCounters.REPLIED)).isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void policyDecidesAndItsReasonIsCounted() {
        EmbeddedChannel ch = channel("OK...", (source, payload) -> source.port() == 5000 ? DropReason.OVERSIZE : null);
        ch.writeInbound(datagram(new byte[] {1}, V6));
        ch.writeInbound(datagram(new byte[] {2}, V4));
        assertThat(replyBytes(ch.readOutbound())).endsWith(2);
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(counters.dropped(DropReason.OVERSIZE)).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void everyReceivedBufferIsReleased() {
        EmbeddedChannel ch = channel("OK...", ReplyPolicy.ALWAYS);
        ByteBuf in = Unpooled.directBuffer(8).writeLong(42);
        ch.writeInbound(new DatagramPacket(in, LOCAL, V4));
        assertThat(in.refCnt()).isZero();
        replyBytes(ch.readOutbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void anErrorIsCountedAndTheChannelStaysOpen() {
        EmbeddedChannel ch = channel("OK...", ReplyPolicy.ALWAYS);
        ch.pipeline().fireExceptionCaught(new java.net.PortUnreachableException("ICMP port unreachable"));
        assertThat(ch.isOpen()).isTrue();
        assertThat(counters.get(ServerCounters.ERRORS)).isEqualTo(1);
        ch.writeInbound(datagram(new byte[] {7}, V4));
        assertThat(replyBytes(ch.readOutbound())).endsWith(7);
        ch.finishAndReleaseAll();
    }

    @Test
    void repliesThatFindTheQueueFullAreDroppedAndCounted() {
        EmbeddedChannel ch = channel("OK...", ReplyPolicy.ALWAYS);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2_000));
        // Read without a read-complete, so that nothing is flushed: the replies wait in the channel.
        for (int i = 0; i < 10; i++) {
            ch.pipeline().fireChannelRead(datagram(new byte[1000], V4));
        }
        assertThat(ch.isWritable()).isFalse();
        ch.pipeline().fireChannelReadComplete();
        int sent = ch.outboundMessages().size();
        assertThat(sent).as("what fit under the high water mark").isBetween(1, 3);
        assertThat(counters.dropped(DropReason.SEND_QUEUE_FULL)).isEqualTo(10 - sent);
        assertThat(counters.get(ServerCounters.REPLIED)).isEqualTo(sent);
        ch.finishAndReleaseAll();
    }
}
