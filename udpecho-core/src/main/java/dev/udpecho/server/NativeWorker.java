package dev.udpecho.server;

import dev.udpecho.impairment.Impairer;
import dev.udpecho.impairment.Impairment;
import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.net.PeerAddress;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;

/**
 * The hot path on the native transport: receive → decide → reply for one socket, in batches.
 *
 * <p>Each turn receives every queued datagram (up to a batch) with one system call, lets the
 * {@link Responder} decide on each, and sends the replies with one more. The prefix sits in each slot before
 * the datagram, so a reply goes out from where the request came in: nothing is copied or allocated.
 *
 * <p>With impairments ({@code --loss}, {@code --delay}, ...), an {@link Impairer} decides what happens to each
 * reply; replies that wait leave the ring as copies for {@link DelayedReplies}.
 *
 * <p>Runs on its own thread; {@link #stop()} may be called from any thread and takes effect within the socket's
 * receive timeout, or at once if the socket is shut down.
 */
final class NativeWorker implements Runnable {
    /** A reply held back to be sent after the next one goes anyway after this long. */
    private static final long HOLD_LIMIT_NANOS = 100_000_000L;

    private final NativeSocket socket;
    private final DatagramRing ring;
    private final Responder responder;
    private final ServerCounters counters;
    private final int prefixLength;
    private final Impairer impairer;
    private final DelayedReplies delayed;
    private final PeerAddress source = new PeerAddress();
    private final PeerAddress destination = new PeerAddress();
    private final ArrayDeque<DelayedReplies.Reply> held = new ArrayDeque<>();
    private long heldSince;
    private long lastDue;
    private boolean repliedThisTurn;
    private volatile boolean running = true;

    /**
     * @param impairer what to do to replies, or {@code null} for nothing.
     * @param delayed  where replies wait, or {@code null} if none ever does.
     */
    NativeWorker(NativeSocket socket, DatagramRing ring, Responder responder, int prefixLength, Impairer impairer,
                 DelayedReplies delayed) {
        this.socket = socket;
        this.ring = ring;
        this.responder = responder;
        this.counters = responder.counters();
        this.prefixLength = prefixLength;
        this.impairer = impairer;
        this.delayed = delayed;
    }

    @Override
    public void run() {
        while (running) {
            int received;
            try {
                received = ring.receive(socket);
            } catch (NativeIoException e) {
                if (running) {
                    responder.onError(e);
                }
                continue;
            }
            if (!running) {
                break;
            }
            repliedThisTurn = false;
            for (int i = 0; i < received; i++) {
                ring.source(i, source);
                int replyLength = responder.onDatagram(source, ring.payload(i));
                if (replyLength < 0) {
                    continue;
                }
                if (impairer == null) {
                    ring.reply(i, replyLength - prefixLength);
                } else {
                    impair(i, replyLength);
                }
            }
            if (received > 0) {
                long drops = ring.kernelDrops(received - 1);
                if (drops >= 0) {
                    counters.onKernelDrops(drops);
                }
            }
            int queued = ring.queuedReplies();
            int sent = ring.send(socket);
            counters.onReplied(sent, ring.lastSentBytes());
            if (sent < queued) {
                // Rare: a refused route, or a send buffer still full after the send timeout.
                responder.onRefusedReplies(queued - sent, new NativeIoException(ring.lastSendError()).getMessage());
            }
            if (!held.isEmpty() && (repliedThisTurn || System.nanoTime() - heldSince > HOLD_LIMIT_NANOS)) {
                releaseHeld();
            }
        }
    }

    private void impair(int slot, int replyLength) {
        int actions = impairer.decide();
        if (actions == Impairer.LOSE) {
            counters.onImpaired(Impairment.LOST);
            return;
        }
        int payloadLength = replyLength - prefixLength;
        if ((actions & Impairer.CORRUPT) != 0 && payloadLength > 0) {
            ByteBuf payload = ring.payload(slot);
            int at = impairer.corruptIndex(payloadLength);
            payload.setByte(at, payload.getByte(at) ^ impairer.corruptMask());
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
                ring.replyBytes(slot, length);
            }
            lastDue = System.nanoTime();
            repliedThisTurn = true;
            return;
        }
        if (!delayed.hasRoom()) {
            counters.onImpaired(Impairment.OVERFLOWED);
            return;
        }
        byte[] data = ring.copyReply(slot, length);
        PeerAddress from = ring.destination(slot, destination) ? destination : null;
        long due = System.nanoTime() + (delay ? impairer.delayNanos() : 0);
        for (int c = 0; c < copies; c++) {
            DelayedReplies.Reply reply = new DelayedReplies.Reply(data, source, from, due);
            if (reorder) {
                if (held.isEmpty()) {
                    heldSince = System.nanoTime();
                }
                held.add(reply);
            } else if (delayed.offer(reply)) {
                lastDue = Math.max(lastDue, due);
                repliedThisTurn = true;
            } else {
                counters.onImpaired(Impairment.OVERFLOWED);
            }
        }
        if (reorder) {
            counters.onImpaired(Impairment.REORDERED);
        }
        if (delay) {
            counters.onImpaired(Impairment.DELAYED);
        }
    }

    /** Sends what was held back, after the reply that went out since: due just after it. */
    private void releaseHeld() {
        long after = Math.max(lastDue, System.nanoTime()) + 1_000;
        while (!held.isEmpty()) {
            DelayedReplies.Reply reply = held.poll();
            reply.dueNanos = Math.max(reply.dueNanos, after);
            if (!delayed.offer(reply)) {
                counters.onImpaired(Impairment.OVERFLOWED);
            }
        }
    }

    void stop() {
        running = false;
    }
}
