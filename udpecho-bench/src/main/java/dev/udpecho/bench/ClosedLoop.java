package dev.udpecho.bench;

import java.io.IOException;

/**
 * Pingpong and window modes: {@code window} datagrams in flight, all on one thread. Each turn receives a batch,
 * accounts for it, gives up on what timed out, and refills the window with one send batch.
 *
 * <p>Owned by the one thread that calls {@link #run}; nothing is allocated per datagram.
 */
final class ClosedLoop {
    private final BatchIo io;
    private final WireFormat format;
    private final SequenceTracker tracker;
    private final long window;
    private final long warmupNanos;
    private final long durationNanos;
    private volatile boolean stopping;
    private long next;

    ClosedLoop(BenchConfig config, BatchIo io, WireFormat format, SequenceTracker tracker) {
        this.io = io;
        this.format = format;
        this.tracker = tracker;
        this.window = config.window();
        this.warmupNanos = config.warmup().toNanos();
        this.durationNanos = config.duration().toNanos();
    }

    /**
     * Loads the server for the warmup and the duration (or until {@link #stop}), then waits for the datagrams
     * still in flight (up to the timeout).
     *
     * @param start when the run started ({@link System#nanoTime()}).
     * @return when measuring started and when sending stopped.
     * @throws IOException if the socket fails for good (it was closed).
     */
    Span run(long start) throws IOException {
        long measureFrom = start + warmupNanos;
        long measuredFrom = -1;
        long now = start;
        while (!stopping) {
            if (measuredFrom < 0 && now - measureFrom >= 0) {
                tracker.startMeasuring(next);
                measuredFrom = now;
            }
            if (measuredFrom >= 0 && now - measuredFrom >= durationNanos) {
                break;
            }
            fill();
            now = turn();
        }
        long measuredUntil = now;
        while (tracker.inFlight() > 0) {
            turn();
        }
        return new Span(measuredFrom < 0 ? measuredUntil : measuredFrom, measuredUntil);
    }

    /** Stops sending at the next turn; {@link #run} then waits for what is in flight. Any thread. */
    void stop() {
        stopping = true;
    }

    private long turn() {
        return Replies.receive(io, format, tracker);
    }

    private void fill() throws IOException {
        long credits = window - tracker.inFlight();
        while (credits > 0) {
            int k = (int) Math.min(credits, io.batch());
            long at = System.nanoTime();
            int m = 0;
            while (m < k && tracker.hasRoom(next)) {
                format.write(io.outgoing(m), next, at);
                tracker.sent(next, at);
                next++;
                m++;
            }
            if (m == 0) {
                return; // every index is taken by a datagram in flight: wait for one to time out
            }
            tracker.publishSent(next);
            if (io.send(m) < m) {
                tracker.sendError();
            }
            credits -= m;
        }
    }
}
