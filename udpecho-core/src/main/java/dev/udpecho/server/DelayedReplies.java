package dev.udpecho.server;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.net.PeerAddress;

import java.nio.ByteBuffer;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replies of one native socket that wait to be sent ({@code --delay}, {@code --reorder}): a bounded queue
 * ordered by the time each is due, and a thread that sends each when it is. Only used when impairments are
 * asked for, so it may allocate: each waiting reply is a copy.
 *
 * <p>{@link #offer} is called by the socket's worker; the sending thread counts what it sends, and what it could
 * not, in counters of its own (counters have one writer each).
 */
final class DelayedReplies implements AutoCloseable {
    private final NativeSocket socket;
    private final ServerCounters counters;
    private final ServerLog log;
    private final int max;
    private final DelayQueue<Reply> queue = new DelayQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
    private final Thread sender;
    private volatile boolean running = true;
    private long lastErrorNotice;

    /** A reply's bytes, destination, source address and due time. */
    static final class Reply implements Delayed {
        final byte[] data;
        final PeerAddress to = new PeerAddress();
        final PeerAddress from;
        long dueNanos;

        Reply(byte[] data, PeerAddress to, PeerAddress from, long dueNanos) {
            this.data = data;
            to.copyTo(this.to);
            if (from != null) {
                this.from = new PeerAddress();
                from.copyTo(this.from);
            } else {
                this.from = null;
            }
            this.dueNanos = dueNanos;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueNanos, ((Reply) o).dueNanos);
        }
    }

    /**
     * @param socket    where to send from.
     * @param counters  counters of the sending thread's own.
     * @param log       where a refused send is reported (at most once a second).
     * @param max       replies that may wait at once.
     * @param name      the sending thread's name.
     */
    DelayedReplies(NativeSocket socket, ServerCounters counters, ServerLog log, int max, String name) {
        this.socket = socket;
        this.counters = counters;
        this.log = log;
        this.max = max;
        this.sender = new Thread(this::run, name);
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * @param reply a reply to send when due.
     * @return false, counted as overflowed, if too many are waiting already.
     */
    boolean offer(Reply reply) {
        if (waiting.incrementAndGet() > max) {
            waiting.decrementAndGet();
            return false;
        }
        queue.offer(reply);
        return true;
    }

    /** @return whether another reply may wait. */
    boolean hasRoom() {
        return waiting.get() < max;
    }

    private void run() {
        while (running) {
            Reply reply;
            try {
                reply = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (reply == null) {
                continue;
            }
            waiting.decrementAndGet();
            buffer.clear();
            buffer.put(reply.data);
            try {
                socket.sendTo(buffer, reply.data.length, reply.to, reply.from);
                counters.onReplied(1, reply.data.length);
            } catch (NativeIoException e) {
                counters.onSendErrors(1);
                long now = System.nanoTime();
                if (lastErrorNotice == 0 || now - lastErrorNotice > 1_000_000_000L) {
                    lastErrorNotice = now;
                    log.notice("Socket error: delayed reply refused: " + e.getMessage());
                }
            }
        }
    }

    /** Stops the sending thread; replies still waiting are dropped (counted as overflowed). */
    @Override
    public void close() {
        running = false;
        sender.interrupt();
        try {
            sender.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        queue.clear();
        for (int i = 0; i < left; i++) {
            counters.onImpaired(Impairment.OVERFLOWED);
        }
    }
}
