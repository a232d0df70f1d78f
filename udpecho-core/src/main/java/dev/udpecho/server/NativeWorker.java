package dev.udpecho.server;

import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.net.PeerAddress;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The native transport's loop for one socket: receives a batch with one system call, hands each datagram to the
 * {@link Responder}, and sends the replies it queued with one more. The prefix sits in each slot before the
 * datagram, so a reply goes out from where the request came in: nothing is copied or allocated. Datagrams the
 * kernel merged into one slot (receive-side GRO) are handed over one by one, as if each had come on its own.
 *
 * <p>Replies are sent without waiting: one the kernel refuses (no route back, a full send buffer) is counted and
 * skipped, and the loop goes on receiving. A receive error that recurs is retried after a pause that doubles
 * from {@value #FIRST_PAUSE_MS} ms to {@value #LAST_PAUSE_MS} ms, not in a spin.
 *
 * <p>Runs on its own thread; {@link #stop()} may be called from any thread and takes effect within the socket's
 * receive timeout, or at once if the socket is shut down.
 */
final class NativeWorker implements Runnable, ReplyQueue {
    static final int FIRST_PAUSE_MS = 1;
    static final int LAST_PAUSE_MS = 100;

    private final NativeSocket socket;
    private final DatagramRing ring;
    private final Responder responder;
    private final ServerCounters counters;
    private final PeerAddress source = new PeerAddress();
    private final PeerAddress destination = new PeerAddress();
    /** The slot being decided on, and which of the datagrams in it. */
    private int slot;
    private int datagram;
    private volatile boolean running = true;
    /** The thread running the loop, to wake from a pause. */
    private volatile Thread thread;

    NativeWorker(NativeSocket socket, DatagramRing ring, Responder responder) {
        this.socket = socket;
        this.ring = ring;
        this.responder = responder;
        this.counters = responder.counters();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            loop();
        } catch (IllegalStateException e) {
            // The socket or the ring was closed under the loop (a worker that did not stop in time): nothing more
            // can be received. Anything else is a bug, and shows.
            if (!socket.isClosed() && !ring.isClosed()) {
                throw e;
            }
            if (running) {
                responder.onError(e);
            }
        }
    }

    private void loop() {
        long pauseNanos = 0;
        while (running) {
            int received;
            try {
                received = ring.receive(socket);
            } catch (NativeIoException e) {
                if (running) {
                    responder.onError(e);
                    pauseNanos = pause(pauseNanos);
                }
                continue;
            }
            pauseNanos = 0;
            if (!running) {
                break;
            }
            for (int i = 0; i < received; i++) {
                slot = i;
                int datagrams = ring.datagrams(i);
                for (int d = 0; d < datagrams; d++) {
                    datagram = d;
                    if (ring.replyRoom() < 2) {
                        send(); // merged datagrams can outnumber the send list: it goes, and fills again
                    }
                    ring.source(i, source);
                    try {
                        responder.onDatagram(source, ring.payload(i, d), this);
                    } catch (IllegalStateException e) {
                        throw e; // the ring or the socket closed under the loop: run() decides
                    } catch (RuntimeException e) {
                        // A policy of the application's, or a bug, failed on one datagram: it gets no reply, the
                        // error is counted and shown, and the socket goes on serving, as on Netty's transports.
                        responder.onError(e);
                    }
                }
            }
            send();
            responder.onBatchSent();
        }
    }

    /** Sends the replies queued, without waiting for room. */
    private void send() {
        int queued = ring.queuedReplies();
        int sent = ring.sendNow(socket);
        counters.onReplied(sent, ring.lastSentBytes());
        if (sent < queued) {
            // A refused route, or a full send buffer: those replies are lost, the next batch is not.
            responder.onRefusedReplies(queued - sent, new NativeIoException(ring.lastSendError()).getMessage());
        }
    }

    /**
     * Waits before the next receive after an error, unless stopped meanwhile.
     *
     * @param lastNanos the last pause, 0 after a success.
     * @return this pause, to double the next time.
     */
    private long pause(long lastNanos) {
        long nanos = lastNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(FIRST_PAUSE_MS)
                : Math.min(2 * lastNanos, TimeUnit.MILLISECONDS.toNanos(LAST_PAUSE_MS));
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; running && left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
        }
        return nanos;
    }

    @Override
    public void reply(int length) {
        ring.replyBytes(slot, datagram, length);
    }

    @Override
    public PeerAddress replyFrom() {
        return ring.destination(slot, destination) ? destination : null;
    }

    @Override
    public int receivedTtl() {
        return ring.ttl(slot);
    }

    @Override
    public int receivedTos() {
        return ring.tos(slot);
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
