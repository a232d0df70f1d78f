package dev.udpecho.bench;

import org.HdrHistogram.ValueRecorder;

import java.io.IOException;

/**
 * Pingpong and window modes: {@code window} datagrams in flight, all on one thread. Each turn receives a batch,
 * accounts for it, gives up on what timed out, and refills the window with one send batch.
 *
 * <p>A turn first polls the socket for replies for up to {@link BenchConfig#busyPoll}, and sleeps in the
 * receive only when none came by then. A sleeping bench has to be woken by the kernel for its next reply, on
 * the CPU that delivers it: against a server on loopback that is the server's CPU, and on a virtual machine each
 * wake-up is an interrupt sent from it, about one per window when the bench is faster than the server (measured:
 * 4,500–5,000 a second at 300k replies/s; under 100 while polling). The C reference client never sleeps because
 * it is busy sending each datagram on its own. Polls are spaced by {@link #POLL_PAUSE_NANOS} when the window is
 * more than one datagram: back to back, they take the lock of the socket's queue as fast as the server's CPU
 * puts replies into it, and slow it down (measured: 0.94× the C client's rate against 1.03× with the pause).
 * With a window of one nothing else is arriving, and a pause would only add to the round trip.
 *
 * <p>While replies come one at a time, a read that took few holds off the next ({@link ReadSpacing}): each read
 * takes that lock too, and reading the replies one or two at a time as they came cost the C server 1–2% more
 * per datagram than the C client.
 *
 * <p>Halfway through the warmup the loop rehearses the start of measuring ({@link SequenceTracker#rehearse}):
 * from then on it counts and records as it will while measuring, into a recorder that is dropped. Branches that
 * only measuring takes are then taken during the warmup, so the JIT compiles them there. Otherwise the first
 * reply measured made it drop its compiled {@link SequenceTracker#reply} and compile it again, and the first
 * step of the timeline the recorder's (seen with {@code -XX:+PrintCompilation}).
 *
 * <p>Owned by the one thread that calls {@link #run}; nothing is allocated per datagram.
 */
final class ClosedLoop {
    /** Between two polls of the socket while replies to a window are arriving. */
    static final long POLL_PAUSE_NANOS = 2_000;
    /** The longest a turn polls, as {@link BatchIo#receive} waits at most {@link BatchIo#POLL_MILLIS}. */
    private static final long TURN_NANOS = BatchIo.POLL_MILLIS * 1_000_000L;

    private final BatchIo io;
    private final WireFormat format;
    private final SequenceTracker tracker;
    private final long window;
    private final long warmupNanos;
    private final long durationNanos;
    private final long busyPollNanos;
    private final long pauseNanos;
    private final ReadSpacing spacing;
    /** Where the rehearsal records round trips; null: no rehearsal. */
    private final ValueRecorder rehearsal;
    /** No poll before this ({@link ReadSpacing}). */
    private long readAt;
    private volatile boolean stopping;
    private long next;
    private boolean measuring;
    /** Polling since {@link #pollingSince}, with nothing received yet. */
    private boolean polling;
    private long pollingSince;
    /** While measuring: time spent polling (or holding off a read) before replies came, or before sleeping. */
    private long pollingNanos;

    /**
     * @param rehearsal where the warmup's rehearsal records round trips, for the timeline to rehearse on; null
     *     for none.
     */
    ClosedLoop(BenchConfig config, BatchIo io, WireFormat format, SequenceTracker tracker, ValueRecorder rehearsal) {
        this.io = io;
        this.format = format;
        this.tracker = tracker;
        this.window = config.window();
        this.warmupNanos = config.warmup().toNanos();
        this.durationNanos = config.duration().toNanos();
        this.busyPollNanos = config.busyPoll().toNanos();
        this.pauseNanos = window > 1 ? POLL_PAUSE_NANOS : 0;
        this.spacing = new ReadSpacing(window, io.batch(), busyPollNanos);
        this.rehearsal = rehearsal;
        this.readAt = System.nanoTime();
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
        long rehearseFrom = rehearseFrom(start, warmupNanos);
        boolean rehearsed = rehearsal == null || warmupNanos == 0;
        long measuredFrom = -1;
        long now = start;
        while (!stopping) {
            if (!rehearsed && now - rehearseFrom >= 0) {
                tracker.rehearse(next, rehearsal);
                measuring = true;
                rehearsed = true;
            }
            if (measuredFrom < 0 && now - measureFrom >= 0) {
                tracker.startMeasuring(next);
                measuredFrom = now;
                measuring = true;
                pollingNanos = 0;
            }
            if (measuredFrom >= 0 && now - measuredFrom >= durationNanos) {
                break;
            }
            fill();
            now = turn();
        }
        long measuredUntil = now;
        measuring = false;
        if (measuredFrom < 0) {
            tracker.dropRehearsal(); // stopped before measuring: what the rehearsal counted is no result
        }
        while (tracker.inFlight() > 0) {
            turn();
        }
        return new Span(measuredFrom < 0 ? measuredUntil : measuredFrom, measuredUntil);
    }

    /**
     * @param start  when the run starts.
     * @param warmup how long it warms up, in nanoseconds.
     * @return when the warmup rehearses the start of measuring: halfway through it.
     */
    static long rehearseFrom(long start, long warmup) {
        return start + warmup / 2;
    }

    /**
     * @param span what {@link #run} returned.
     * @return the share of the measured time (wall clock) spent polling for replies that had not come yet or
     *     holding off a read while they came one by one, in percent: time the bench's thread waited on the CPU
     *     instead of asleep.
     */
    double pollingPercent(Span span) {
        double nanos = span.seconds() * 1e9;
        return nanos > 0 ? 100 * pollingNanos / nanos : 0;
    }

    /** Stops sending at the next turn; {@link #run} then waits for what is in flight. Any thread. */
    void stop() {
        stopping = true;
    }

    private long turn() {
        if (busyPollNanos > 0) {
            long from = System.nanoTime();
            if (!polling) {
                polling = true;
                pollingSince = from;
            }
            long giveUp = pollingSince + busyPollNanos;
            boolean stopped = stopping; // the drain after a stop polls as any turn; a stop now ends the turn
            // A long busy poll still ends a turn now and then, for the timeouts and the end of the run.
            long until = giveUp - (from + TURN_NANOS) < 0 ? giveUp : from + TURN_NANOS;
            long now = from;
            do {
                long resume;
                if (now - readAt >= 0) {
                    long polled = now;
                    int n = Replies.takeQueued(io, tracker);
                    now = System.nanoTime();
                    if (n > 0) {
                        polled(polled - from);
                        polling = false;
                        readAt = spacing.taken(n, now);
                        Replies.taken(io, format, tracker, n, now);
                        return now;
                    }
                    resume = now + pauseNanos;
                } else {
                    resume = readAt - until < 0 ? readAt : until;
                }
                while (now - resume < 0) {
                    Thread.onSpinWait();
                    now = System.nanoTime();
                }
            } while (now - until < 0 && stopping == stopped);
            polled(now - from);
            if (now - giveUp < 0) {
                Replies.taken(io, format, tracker, 0, now);
                return now;
            }
            polling = false;
            spacing.slept();
        }
        return Replies.receive(io, format, tracker);
    }

    private void polled(long nanos) {
        if (measuring) {
            pollingNanos += nanos;
        }
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
