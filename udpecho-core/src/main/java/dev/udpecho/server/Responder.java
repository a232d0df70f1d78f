package dev.udpecho.server;

import dev.udpecho.impairment.Impairer;
import dev.udpecho.impairment.Impairment;
import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.Destinations;
import dev.udpecho.policy.DropNotices;
import dev.udpecho.policy.DropReason;
import dev.udpecho.policy.ReplyPolicy;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The receive → decide → reply path, written once for every transport: refuses broadcast and multicast
 * destinations, counts each datagram, shows it in the log, asks the {@link ReplyPolicy}, checks that the reply
 * fits in a datagram, and applies the impairments. The
 * transports only move bytes around it: {@link NativeWorker} (the fast path) and {@link EchoHandler} (Netty's
 * epoll and NIO) hand it each datagram and send what it queues on their {@link ReplyQueue}.
 *
 * <p>Impairments, one semantics for every transport (an {@link Impairer} draws the decisions):
 * <ul>
 *   <li>lost: not sent; nothing else is done to it;
 *   <li>corrupted: one byte of the payload (after the prefix) is flipped; an empty payload is left alone;
 *   <li>truncated: the reply is cut to a random length below its own, into the prefix if it falls there; an
 *       empty reply is left alone;
 *   <li>duplicated: sent twice, both copies at the same time (now, or after the same delay);
 *   <li>delayed: it waits the delay, give or take up to the jitter, from when its request came in; with
 *       jitter, replies may overtake each other;
 *   <li>reordered: held back until the next reply of this socket that is not held back itself has gone (now or
 *       after its delay), and sent just after it (and not before its own delay); if none goes within 100 ms it
 *       is sent anyway;
 *   <li>overflowed: it was to wait, but {@code maxDelayed} replies were waiting already: not sent.
 * </ul>
 *
 * <p>One instance per socket, used only by that socket's thread; allocates nothing unless a reply waits.
 */
final class Responder {
    private static final long ERROR_NOTICE_INTERVAL_NANOS = 1_000_000_000L;
    /** A reply held back to be sent after the next one goes anyway after this long. */
    static final long HOLD_LIMIT_NANOS = 100_000_000L;
    /** How long after the reply it waited for a held reply goes. */
    private static final long AFTER_NANOS = 1_000;

    private final byte[] prefix;
    private final ReplyPolicy policy;
    private final ServerCounters counters;
    private final ServerLog log;
    private final DropNotices dropNotices;
    private final Impairer impairer;
    private final DelayedReplies delayed;
    private final Destinations destinations;
    private final boolean countsShared;
    private final Answerer answerer;
    private final ArrayDeque<DelayedReplies.Reply> held = new ArrayDeque<>();
    private boolean repliedThisBatch;
    private long lastErrorNotice;
    private long errorsNotShown;

    /**
     * @param impairer     what to do to replies, or {@code null} for nothing.
     * @param delayed      where replies wait, or {@code null} if none ever does.
     * @param destinations what refuses broadcast and multicast destinations, for a socket that reports each
     *                     datagram's destination ({@link ReplyQueue#replyFrom()}); {@code null} for a socket bound
     *                     to one unicast address, which receives nothing else.
     * @param countsShared whether this socket counts the datagrams every socket of its group receives a copy of
     *                     (broadcast and multicast): only the first of the group does, so each counts once.
     */
    Responder(byte[] prefix, ReplyPolicy policy, ServerCounters counters, ServerLog log, DropNotices dropNotices,
              Impairer impairer, DelayedReplies delayed, Destinations destinations, boolean countsShared) {
        this(prefix, policy, counters, log, dropNotices, impairer, delayed, destinations, countsShared, null);
    }

    /**
     * @param answerer what writes the reply over the datagram (STAMP, sockperf), or {@code null} for the echo:
     *                 the prefix and the datagram. With one, the prefix is empty.
     */
    Responder(byte[] prefix, ReplyPolicy policy, ServerCounters counters, ServerLog log, DropNotices dropNotices,
              Impairer impairer, DelayedReplies delayed, Destinations destinations, boolean countsShared,
              Answerer answerer) {
        if (answerer != null && prefix.length > 0) {
            throw new IllegalArgumentException("a protocol's reply has no prefix");
        }
        this.answerer = answerer;
        this.prefix = prefix.clone();
        this.policy = policy;
        this.counters = counters;
        this.log = log;
        this.dropNotices = dropNotices;
        this.impairer = impairer;
        this.delayed = delayed;
        this.destinations = destinations;
        this.countsShared = countsShared;
    }

    ServerCounters counters() {
        return counters;
    }

    /** @return whether a protocol writes the replies over the datagrams, and so needs room in the payload. */
    boolean answers() {
        return answerer != null;
    }

    /**
     * Decides on one datagram and queues its replies, if any, on {@code out}.
     *
     * @param source  where the datagram came from; valid during the call.
     * @param payload its bytes, from {@code position} to {@code limit}, writable (a corrupted reply is flipped in
     *                place, a protocol's reply written over it up to its capacity, which is at least
     *                {@link Answerer#MIN_ROOM}); with a protocol, the limit is then where the reply ends.
     * @param out     where its replies go.
     */
    void onDatagram(PeerAddress source, ByteBuffer payload, ReplyQueue out) {
        int length = payload.remaining();
        if (destinations != null && refusedDestination(source, payload, out)) {
            return;
        }
        counters.onReceived(length);
        log.message(source, payload);
        DropReason reason = policy.decide(source, payload);
        int replyLength = prefix.length + length;
        if (reason == null && answerer != null) {
            replyLength = answer(source, payload, out);
            if (replyLength == Answerer.REFUSED) {
                reason = answerer.reason();
            }
        }
        if (reason == null && replyLength > DatagramLimits.maxPayload(source)) {
            reason = DropReason.OVERSIZE;
        }
        if (reason != null) {
            drop(source, reason);
            return;
        }
        if (impairer == null) {
            out.reply(replyLength);
        } else {
            impair(source, payload, replyLength, out);
        }
    }

    /**
     * The protocol's reply, written over the payload: from the payload's position, which then ends where the
     * reply does (so that impairments and replies that wait see the reply).
     */
    private int answer(PeerAddress source, ByteBuffer payload, ReplyQueue out) {
        int start = payload.position();
        int end = payload.limit();
        // What answerers see starts at 0: every transport's payload does; a view only for one that would not.
        ByteBuffer view = start == 0 ? payload : payload.slice(start, payload.capacity() - start).limit(end - start);
        int length = answerer.answer(source, view, out);
        if (length >= 0) {
            payload.limit(start + length).position(start);
        } else {
            payload.limit(end).position(start);
        }
        return length;
    }

    /**
     * Every socket of a group that shares a port gets its own copy of a broadcast or multicast datagram: one
     * counts it (received, shown, dropped), the others let it go unseen.
     *
     * @return whether it was sent to many hosts, and so is not answered.
     */
    private boolean refusedDestination(PeerAddress source, ByteBuffer payload, ReplyQueue out) {
        PeerAddress to = out.replyFrom();
        DropReason reason = to == null ? null : destinations.decide(to);
        if (reason == null) {
            return false;
        }
        if (countsShared) {
            counters.onReceived(payload.remaining());
            log.message(source, payload);
            drop(source, reason);
        }
        return true;
    }

    /**
     * @param source where the datagram came from.
     * @param reason why it gets no reply; also for a transport that could not queue its reply.
     */
    void drop(PeerAddress source, DropReason reason) {
        counters.onDropped(reason);
        dropNotices.onDrop(source, reason);
    }

    /**
     * Called by the transport once the replies queued since the last call have gone to the kernel: replies held
     * back for them go next.
     */
    void onBatchSent() {
        if (repliedThisBatch) {
            repliedThisBatch = false;
            releaseHeld(System.nanoTime());
        }
    }

    private void impair(PeerAddress source, ByteBuffer payload, int replyLength, ReplyQueue out) {
        int actions = impairer.decide();
        if (actions == Impairer.LOSE) {
            counters.onImpaired(Impairment.LOST);
            return;
        }
        int payloadLength = replyLength - prefix.length;
        if ((actions & Impairer.CORRUPT) != 0 && payloadLength > 0) {
            int at = payload.position() + impairer.corruptIndex(payloadLength);
            payload.put(at, (byte) (payload.get(at) ^ impairer.corruptMask()));
            counters.onImpaired(Impairment.CORRUPTED);
        }
        int length = replyLength;
        if ((actions & Impairer.TRUNCATE) != 0 && replyLength > 0) {
            length = impairer.truncatedLength(replyLength);
            counters.onImpaired(Impairment.TRUNCATED);
        }
        int copies = 1;
        if ((actions & Impairer.DUPLICATE) != 0) {
            copies = 2;
            counters.onImpaired(Impairment.DUPLICATED);
        }
        boolean delay = (actions & Impairer.DELAY) != 0;
        boolean reorder = (actions & Impairer.REORDER) != 0;
        if (!delay && !reorder) {
            for (int c = 0; c < copies; c++) {
                out.reply(length);
            }
            repliedThisBatch = true;
            return;
        }
        if (!delayed.hasRoom(copies)) {
            counters.onImpaired(Impairment.OVERFLOWED);
            return;
        }
        byte[] data = copy(payload, length);
        PeerAddress from = out.replyFrom();
        long now = System.nanoTime();
        long notBefore = delay ? now + impairer.delayNanos() : now;
        long due = reorder ? Math.max(notBefore, now + HOLD_LIMIT_NANOS) : notBefore;
        if (!reorder) {
            releaseHeld(due);
        }
        for (int c = 0; c < copies; c++) {
            DelayedReplies.Reply reply = new DelayedReplies.Reply(data, source, from, notBefore, due);
            if (!delayed.offer(reply)) {
                counters.onImpaired(Impairment.OVERFLOWED);
            } else if (reorder) {
                held.add(reply);
            }
        }
        if (delay) {
            counters.onImpaired(Impairment.DELAYED);
        }
        if (reorder) {
            counters.onImpaired(Impairment.REORDERED);
        }
    }

    /** Held replies go just after {@code afterNanos}, when the reply they waited for goes. */
    private void releaseHeld(long afterNanos) {
        DelayedReplies.Reply reply;
        while ((reply = held.poll()) != null) {
            delayed.reschedule(reply, afterNanos + AFTER_NANOS);
        }
    }

    /** @return the reply as it leaves: the prefix, then the payload, cut to {@code length}. */
    private byte[] copy(ByteBuffer payload, int length) {
        byte[] data = new byte[length];
        int fromPrefix = Math.min(length, prefix.length);
        System.arraycopy(prefix, 0, data, 0, fromPrefix);
        payload.get(payload.position(), data, fromPrefix, length - fromPrefix);
        return data;
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
     * @param refused replies the kernel refused in one batch.
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
