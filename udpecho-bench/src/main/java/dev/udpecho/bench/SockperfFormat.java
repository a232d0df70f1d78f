package dev.udpecho.bench;

import dev.udpecho.protocol.Sockperf;

import java.nio.ByteBuffer;

/**
 * sockperf's ping-pong messages, for measuring {@code sockperf server} (or {@code udpecho server --protocol
 * sockperf}): sockperf's 14-byte header (the sequence number, the client and pong-request flags, the message's
 * length), then the echo format's own header and padding ({@link DatagramFormat} from byte 14), which sockperf's
 * server returns as it came. A good reply is the message with the client flag cleared.
 */
final class SockperfFormat implements WireFormat {
    /** The smallest message: sockperf's header and the echo format's. */
    static final int MIN_SIZE = Sockperf.HEADER + DatagramFormat.HEADER;
    private static final int ASKED = Sockperf.CLIENT | Sockperf.PONG_REQUEST;

    private final int size;
    private final DatagramFormat body;

    SockperfFormat(int size, long key) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("a sockperf message must be at least " + MIN_SIZE + " bytes, not " + size);
        }
        this.size = size;
        this.body = new DatagramFormat(new byte[0], size, key, Sockperf.HEADER);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int replySize() {
        return size;
    }

    @Override
    public void write(ByteBuffer into, long sequence, long sentAt) {
        Sockperf.writeHeader(into, 0, sequence, ASKED, size);
        body.write(into, sequence, sentAt);
    }

    @Override
    public long sequence(ByteBuffer reply, int length) {
        long sequence = body.sequence(reply, length);
        return sequence >= 0 && Sockperf.sequence(reply, 0) == sequence ? sequence : -1;
    }

    @Override
    public long sentAt(ByteBuffer reply) {
        return body.sentAt(reply);
    }

    @Override
    public boolean matches(ByteBuffer reply, int length, long sequence) {
        return length == size && Sockperf.flags(reply, 0) == Sockperf.PONG_REQUEST
                && Sockperf.length(reply, 0) == size && body.matches(reply, length, sequence);
    }
}
