package dev.udpecho.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * How an epoll channel reads: one batch per wake-up (see {@link NettyEngine}) into one buffer of its own, used
 * again for every read once the datagrams of the last one are released.
 *
 * <p>Netty's own allocators take a fresh buffer from its pool for each read. A read buffer that holds a batch of
 * whole datagrams is 2 MiB, half a chunk of the pool: when nothing else holds memory in that chunk (a flood the
 * server does not answer, so that no reply is allocated from it), the pool gives the chunk back to the system
 * after each read and takes a new one, zeroed, on the next. That zeroing was 72% of the server's samples under a
 * flood it denies, which cost more per datagram than one it answers (docs/BENCHMARKS.md).
 *
 * <p>The buffer is the channel's as long as the channel is; {@link #release} gives each back to the pool once
 * the event loops are stopped.
 */
final class ReceiveBuffers extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bytes;
    private final List<Reader> readers = new ArrayList<>();

    /** @param bytes the size of each channel's read buffer. */
    ReceiveBuffers(int bytes) {
        super(1);
        this.bytes = bytes;
    }

    @Override
    public RecvByteBufAllocator.ExtendedHandle newHandle() {
        Reader reader = new Reader();
        synchronized (readers) {
            readers.add(reader);
        }
        return reader;
    }

    /** Gives every channel's buffer back to the pool; called once no event loop reads any more. */
    void release() {
        synchronized (readers) {
            for (Reader r : readers) {
                r.release();
            }
            readers.clear();
        }
    }

    /** One channel's: used on its event loop only, and by {@link #release} once that has stopped. */
    private final class Reader extends MaxMessageHandle {
        private ByteBuf buffer;

        /**
         * @return the channel's buffer, emptied, with a reference for this read; or a fresh one from the pool if a
         *     datagram of the last read is still held somewhere.
         */
        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            if (buffer == null) {
                buffer = alloc.directBuffer(bytes, bytes);
            }
            if (buffer.refCnt() == 1) {
                return buffer.retain().clear();
            }
            return alloc.directBuffer(bytes, bytes);
        }

        @Override
        public int guess() {
            return bytes;
        }

        void release() {
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
        }
    }
}
