package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.DropReason;
import dev.udpecho.protocol.Sockperf;

import java.nio.ByteBuffer;

/**
 * Answers as {@code sockperf server} does: a client's message that asks for a pong comes back as it came, its
 * client flag cleared (sockperf's client ignores replies that still carry it). A warm-up, a message that asks
 * for no reply, and a message from a server get none ({@link DropReason#NOT_ASKED}); a datagram shorter than the
 * header is {@link DropReason#TOO_SHORT}, one whose header names another length {@link DropReason#BAD_HEADER}.
 */
final class SockperfAnswerer implements Answerer {
    private DropReason reason;

    @Override
    public int answer(PeerAddress source, ByteBuffer payload, ReplyQueue in) {
        int length = payload.limit();
        if (length < Sockperf.HEADER) {
            return refuse(DropReason.TOO_SHORT);
        }
        if (Sockperf.length(payload, 0) != length) {
            return refuse(DropReason.BAD_HEADER);
        }
        int flags = Sockperf.flags(payload, 0);
        if ((flags & Sockperf.CLIENT) == 0 || (flags & Sockperf.PONG_REQUEST) == 0 || (flags & Sockperf.WARMUP) != 0) {
            return refuse(DropReason.NOT_ASKED);
        }
        Sockperf.writeFlags(payload, 0, flags & ~Sockperf.CLIENT);
        return length;
    }

    private int refuse(DropReason why) {
        reason = why;
        return REFUSED;
    }

    @Override
    public DropReason reason() {
        return reason;
    }
}
