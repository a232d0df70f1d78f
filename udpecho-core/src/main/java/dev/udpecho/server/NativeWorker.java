package dev.udpecho.server;

import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.net.PeerAddress;

/**
 * The native transport's loop for one socket: receives a batch with one system call, hands each datagram to the
 * {@link Responder}, and sends the replies it queued with one more. The prefix sits in each slot before the
 * datagram, so a reply goes out from where the request came in: nothing is copied or allocated.
 *
 * <p>Runs on its own thread; {@link #stop()} may be called from any thread and takes effect within the socket's
 * receive timeout, or at once if the socket is shut down.
 */
final class NativeWorker implements Runnable, ReplyQueue {
    private final NativeSocket socket;
    private final DatagramRing ring;
    private final Responder responder;
    private final ServerCounters counters;
    private final PeerAddress source = new PeerAddress();
    private final PeerAddress destination = new PeerAddress();
    /** The slot being decided on. */
    private int slot;
    private volatile boolean running = true;

    NativeWorker(NativeSocket socket, DatagramRing ring, Responder responder) {
        this.socket = socket;
        this.ring = ring;
        this.responder = responder;
        this.counters = responder.counters();
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
            } catch (IllegalStateException e) {
                // The socket or the ring was closed under the loop: nothing more can be received.
                if (running) {
                    responder.onError(e);
                }
                break;
            }
            if (!running) {
                break;
            }
            for (int i = 0; i < received; i++) {
                slot = i;
                ring.source(i, source);
                responder.onDatagram(source, ring.payload(i), this);
            }
            if (received > 0) {
                long drops = ring.kernelDrops(received - 1);
                if (drops >= 0) {
                    counters.onKernelDrops(drops);
                }
            }
            int queued = ring.queuedReplies();
            int sent;
            try {
                sent = ring.send(socket);
            } catch (IllegalStateException e) {
                if (running) {
                    responder.onError(e);
                }
                break;
            }
            counters.onReplied(sent, ring.lastSentBytes());
            if (sent < queued) {
                // Rare: a refused route, or a send buffer still full after the send timeout.
                responder.onRefusedReplies(queued - sent, new NativeIoException(ring.lastSendError()).getMessage());
            }
            responder.onBatchSent();
        }
    }

    @Override
    public void reply(int length) {
        ring.replyBytes(slot, length);
    }

    @Override
    public PeerAddress replyFrom() {
        return ring.destination(slot, destination) ? destination : null;
    }

    void stop() {
        running = false;
    }
}
