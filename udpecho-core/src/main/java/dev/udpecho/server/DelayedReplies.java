package dev.udpecho.server;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.net.PeerAddress;

import java.io.IOException;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replies of one socket that wait to be sent ({@code --delay}, {@code --reorder}), on every transport: a bounded
 * queue ordered by the time each is due, and a thread that sends each when it is, through the engine's
 * {@link DatagramSender}. Only used when impairments are asked for, so it may allocate: each waiting reply is a
 * copy.
 *
 * <p>{@link #offer} and {@link #reschedule} are called by the socket's worker; the sending thread counts what it
 * sends, and what it could not, in counters of its own (counters have one writer each).
 */
final class DelayedReplies implements AutoCloseable {
    private static final long ERROR_NOTICE_INTERVAL_NANOS = 1_000_000_000L;

    private final DatagramSender sender;
    private final ServerCounters counters;
    private final ServerLog log;
    private final int max;
    private final DelayQueue<Reply> queue = new DelayQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private long lastErrorNotice;

    /** A reply's bytes, destination, source address and due time. */
    static final class Reply implements Delayed {
        final byte[] data;
        final PeerAddress to = new PeerAddress();
        final PeerAddress from;
        /** The earliest it may go, whenever it is rescheduled to. */
        final long notBeforeNanos;
        /** Written by the worker only while the reply is out of the queue. */
        long dueNanos;

        Reply(byte[] data, PeerAddress to, PeerAddress from, long notBeforeNanos, long dueNanos) {
            this.data = data;
            to.copyTo(this.to);
            if (from != null) {
                this.from = new PeerAddress();
                from.copyTo(this.from);
            } else {
                this.from = null;
            }
            this.notBeforeNanos = notBeforeNanos;
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
     * @param sender   how to send from the socket.
     * @param counters counters of the sending thread's own.
     * @param log      where a refused send is reported (at most once a second).
     * @param max      replies that may wait at once.
     * @param name     the sending thread's name.
     */
    DelayedReplies(DatagramSender sender, ServerCounters counters, ServerLog log, int max, String name) {
        this.sender = sender;
        this.counters = counters;
        this.log = log;
        this.max = max;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** @param n replies. @return whether {@code n} more may wait. */
    boolean hasRoom(int n) {
        return waiting.get() + n <= max;
    }

    /**
     * @param reply a reply to send when due.
     * @return false if too many are waiting already (the caller counts it as overflowed).
     */
    boolean offer(Reply reply) {
        if (waiting.incrementAndGet() > max) {
            waiting.decrementAndGet();
            return false;
        }
        queue.offer(reply);
        return true;
    }

    /**
     * Moves a waiting reply to another time, but not before its earliest; one sent already stays sent.
     *
     * @param reply a reply offered before.
     * @param dueNanos when it is now due.
     */
    void reschedule(Reply reply, long dueNanos) {
        if (queue.remove(reply)) {
            reply.dueNanos = Math.max(reply.notBeforeNanos, dueNanos);
            queue.offer(reply);
        }
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
            try {
                sender.send(reply.data, reply.to, reply.from);
                counters.onReplied(1, reply.data.length);
            } catch (IOException e) {
                counters.onSendErrors(1);
                long now = System.nanoTime();
                if (lastErrorNotice == 0 || now - lastErrorNotice > ERROR_NOTICE_INTERVAL_NANOS) {
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
        thread.interrupt();
        try {
            thread.join(1000);
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
