package dev.udpecho.bench;

/**
 * When a closed loop's next read of replies is worth making. A read that took fewer than a quarter of the window
 * ({@link #SHARE}; at most what one read can take) is followed by a wait until the rest of that quarter should
 * have come, at the smoothed time between replies, and never longer than the busy poll nor
 * {@link #MAX_WAIT_NANOS}. Any short read counts, the last ones of a run too; under a window of 8 the quarter is at
 * most one reply, and no read is short.
 *
 * <p>It is meant for replies that come one at a time, as a busy server's CPU delivers them.
 *
 * <p>Why: each read takes the lock of the socket's queue, and the server's CPU takes it for every reply it puts
 * there. Read as they came, one or two at a time, the replies cost the C reference server 1–2% more per datagram
 * than under the C client, which reads about 9 at a time (see {@link ClosedLoop}). A reply that waits here waits
 * in the bench's socket instead of the server's, so while the server sets the pace the round trip, the window
 * over the rate, does not change on average, though a reply held may show up to 50 µs more; replies that come a
 * window at a time are read at once.
 *
 * <p>Owned by the loop's one thread. Times are {@link System#nanoTime()}.
 */
final class ReadSpacing {
    /** A read aims to take at least the window over this many replies. */
    static final int SHARE = 4;
    /**
     * The longest a read is held off, 50 µs: at a reply every 3 µs that is 16 replies, and a reply that came is
     * not read later than 5% of the shortest timeout (1 ms) after it came.
     */
    static final long MAX_WAIT_NANOS = 50_000;
    /** The smoothed time between replies moves by 1/{@value} of each new sample. */
    private static final int SMOOTHING = 8;

    private final long batch;
    private final long maxWaitNanos;
    /** Smoothed time between replies, from the reads that took some; 0 until the second of them. */
    private long nanosPerReply;
    /** When the last read that took replies was; see {@link #timed}. */
    private long lastTaken;
    /** Whether {@link #lastTaken} was a read since the loop last slept. */
    private boolean timed;

    /**
     * @param window        datagrams in flight.
     * @param readLimit     the most replies one read takes ({@link BatchIo#batch()}): a read of that many is
     *                      never short, whatever the window.
     * @param busyPollNanos how long the loop polls before it sleeps: a read is held off no longer.
     */
    ReadSpacing(long window, int readLimit, long busyPollNanos) {
        this.batch = Math.min(window / SHARE, readLimit);
        this.maxWaitNanos = Math.min(busyPollNanos, MAX_WAIT_NANOS);
    }

    /**
     * @param n   replies the read at {@code now} took, from 1.
     * @param now when.
     * @return when the next read is worth making: {@code now}, or later when {@code n} was short.
     */
    long taken(int n, long now) {
        if (batch == 0) {
            return now;
        }
        if (timed) {
            long sample = (now - lastTaken) / n;
            nanosPerReply = nanosPerReply == 0 ? sample : nanosPerReply + (sample - nanosPerReply) / SMOOTHING;
        }
        lastTaken = now;
        timed = true;
        long missing = batch - n;
        return missing > 0 ? now + Math.min(maxWaitNanos, missing * nanosPerReply) : now;
    }

    /** The loop slept in the receive: the time until its next read tells nothing of the rate. */
    void slept() {
        timed = false;
    }

    /** @return the smoothed time between replies, in nanoseconds; 0 until two reads took some. */
    long nanosPerReply() {
        return nanosPerReply;
    }
}
