package dev.udpecho.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Each channel reads into one buffer of its own, again and again, and never into one a datagram still holds. */
class ReceiveBuffersTest {
    private static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(true);

    @Test
    void aReadUsesTheBufferOfTheLastOnceItsDatagramsAreReleased() {
        ReceiveBuffers buffers = new ReceiveBuffers(1 << 16);
        RecvByteBufAllocator.ExtendedHandle reader = buffers.newHandle();
        ByteBuf first = reader.allocate(POOL);
        first.writeBytes(new byte[100]);
        ByteBuf datagram = first.retainedSlice(0, 100); // as Netty hands a datagram on
        first.release(); // the read is done
        datagram.release(); // and so is the datagram
        ByteBuf second = reader.allocate(POOL);
        assertThat(second).isSameAs(first);
        assertThat(second.readableBytes()).as("emptied").isZero();
        assertThat(second.writableBytes()).isEqualTo(1 << 16);
        second.release();
        buffers.release();
        assertThat(first.refCnt()).as("given back to the pool").isZero();
    }

    @Test
    void aDatagramStillHeldKeepsItsBufferFromTheNextRead() {
        ReceiveBuffers buffers = new ReceiveBuffers(1 << 16);
        RecvByteBufAllocator.ExtendedHandle reader = buffers.newHandle();
        ByteBuf first = reader.allocate(POOL);
        first.writeBytes("held".getBytes(StandardCharsets.US_ASCII));
        ByteBuf held = first.retainedSlice(0, 4);
        first.release();
        ByteBuf second = reader.allocate(POOL);
        assertThat(second).isNotSameAs(first);
        second.writeBytes(new byte[4]);
        assertThat(held.toString(StandardCharsets.US_ASCII)).isEqualTo("held");
        second.release();
        held.release();
        ByteBuf third = reader.allocate(POOL);
        assertThat(third).as("free again once released").isSameAs(first);
        third.release();
        buffers.release();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
    }

    @Test
    void eachChannelHasItsOwn() {
        ReceiveBuffers buffers = new ReceiveBuffers(1 << 16);
        ByteBuf a = buffers.newHandle().allocate(POOL);
        ByteBuf b = buffers.newHandle().allocate(POOL);
        assertThat(a).isNotSameAs(b);
        a.release();
        b.release();
        buffers.release();
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
    }
}
