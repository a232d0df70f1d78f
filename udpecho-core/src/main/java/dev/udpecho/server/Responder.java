package dev.udpecho.server;

import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.DropNotices;
import dev.udpecho.policy.DropReason;
import dev.udpecho.policy.ReplyPolicy;
import io.netty.buffer.ByteBuf;

/**
 * Decides what becomes of each received datagram, for every transport: counts it, shows it in the log, asks
 * the {@link ReplyPolicy}, and checks that the reply fits in a datagram. The transports do the I/O around it:
 * {@link NativeWorker} (the fast path) and {@link EchoHandler} (Netty).
 *
 * <p>One instance per socket, used only by that socket's thread; allocates nothing.
 */
final class Responder {
    private static final long ERROR_NOTICE_INTERVAL_NANOS = 1_000_000_000L;

    private final int prefixLength;
    private final ReplyPolicy policy;
    private final ServerCounters counters;
    private final ServerLog log;
    private final DropNotices dropNotices;
    private long lastErrorNotice;
    private long errorsNotShown;

    Responder(int prefixLength, ReplyPolicy policy, ServerCounters counters, ServerLog log, DropNotices dropNotices) {
        this.prefixLength = prefixLength;
        this.policy = policy;
        this.counters = counters;
        this.log = log;
        this.dropNotices = dropNotices;
    }

    ServerCounters counters() {
        return counters;
    }

    /**
     * @param source  where the datagram came from.
     * @param payload its bytes, from {@code readerIndex} to {@code writerIndex}.
     * @return the reply's size (prefix and payload), or −1 when it gets no reply (counted by reason).
     */
    int onDatagram(PeerAddress source, ByteBuf payload) {
        int length = payload.readableBytes();
        counters.onReceived(length);
        log.message(source, payload);
        DropReason reason = policy.decide(source, payload);
        int replyLength = prefixLength + length;
        if (reason == null && replyLength > DatagramLimits.maxPayload(source)) {
            reason = DropReason.OVERSIZE;
        }
        if (reason != null) {
            counters.onDropped(reason);
            dropNotices.onDrop(source, reason);
            return -1;
        }
        return replyLength;
    }

    /**
     * A socket error concerns one peer at most (an ICMP report, a refused route): count it, say what it was at
     * most once a second, and keep serving everyone else.
     *
     * @param cause what went wrong.
     */
    void onError(Throwable cause) {
        counters.onError();
        notice(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    /**
     * @param refused replies the kernel refused in one batch (already counted as errors by the caller's
     *                counters, or here).
     * @param reason  the system's reason for the last one.
     */
    void onRefusedReplies(int refused, String reason) {
        counters.onSendErrors(refused);
        notice("send refused: " + reason + (refused > 1 ? " (" + refused + " replies)" : ""));
    }

    private void notice(String what) {
        long now = System.nanoTime();
        if (lastErrorNotice != 0 && now - lastErrorNotice < ERROR_NOTICE_INTERVAL_NANOS) {
            errorsNotShown++;
            return;
        }
        lastErrorNotice = now;
        String more = errorsNotShown == 0 ? "" : " (and " + errorsNotShown + " more not shown)";
        errorsNotShown = 0;
        log.notice("Socket error: " + what + more);
    }
}
