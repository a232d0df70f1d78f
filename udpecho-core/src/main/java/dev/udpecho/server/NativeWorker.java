package dev.udpecho.server;

import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.net.PeerAddress;

/**
 * The hot path on the native transport: receive → decide → reply for one socket, in batches.
 *
 * <p>Each turn receives every queued datagram (up to a batch) with one system call, lets the
 * {@link Responder} decide on each, and sends the replies with one more. The prefix sits in each slot before
 * the datagram, so a reply goes out from where the request came in: nothing is copied or allocated.
 *
 * <p>Runs on its own thread; {@link #stop()} may be called from any thread and takes effect within the socket's
 * receive timeout, or at once if the socket is shut down.
 */
final class NativeWorker implements Runnable {
    private final NativeSocket socket;
    private final DatagramRing ring;
    private final Responder responder;
    private final ServerCounters counters;
    private final int prefixLength;
    private final PeerAddress source = new PeerAddress();
    private volatile boolean running = true;

    NativeWorker(NativeSocket socket, DatagramRing ring, Responder responder, int prefixLength) {
        this.socket = socket;
        this.ring = ring;
        this.responder = responder;
        this.counters = responder.counters();
        this.prefixLength = prefixLength;
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
            if (received == 0 || !running) {
                continue;
            }
            for (int i = 0; i < received; i++) {
                ring.source(i, source);
                int replyLength = responder.onDatagram(source, ring.payload(i));
                if (replyLength >= 0) {
                    ring.reply(i, replyLength - prefixLength);
                }
            }
            long drops = ring.kernelDrops(received - 1);
            if (drops >= 0) {
                counters.onKernelDrops(drops);
            }
            int queued = ring.queuedReplies();
            int sent = ring.send(socket);
            counters.onReplied(sent, ring.lastSentBytes());
            if (sent < queued) {
                // Rare: a refused route, or a send buffer still full after the send timeout.
                responder.onRefusedReplies(queued - sent, new NativeIoException(ring.lastSendError()).getMessage());
            }
        }
    }

    void stop() {
        running = false;
    }
}
