package dev.udpecho.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.locks.LockSupport;

/**
 * Rate mode: datagram {@code s} is due at {@code start + s / rate}, whatever comes back. The sender sends every
 * datagram that is due in one batch, then sleeps until the next is due (see {@link #waitUntil}).
 *
 * <p>Up to {@link #ALONE_MAX_RATE}, where the socket reports when the kernel received each reply
 * ({@link BatchIo#receiveTimes}, the native transport), one thread does it all: after each sleep it first takes
 * the replies queued since the last, each timed by its receive time, then sends. The replies cost no wake of
 * their own, and a wake costs tens of microseconds of CPU on a virtual machine, so at 1000 datagrams a second
 * that halves the client's wakes. At higher rates, and where the socket cannot time replies, a sender thread
 * sends and the calling thread waits for replies and accounts for them, so that each has a core.
 *
 * <p>Each datagram carries its scheduled send time, and its round trip counts from then, so a server that
 * stalls (or a client that falls behind) shows the whole delay in the latency instead of sending less.
 *
 * <p>How late the sender was against the schedule is recorded too ({@link #sendLag()}). Nothing is allocated per
 * datagram on either thread. {@link #run} is called once.
 */
final class OpenLoop {
    /** While every index is in flight, the sender waits this long before it looks again. */
    private static final long FULL_WAIT_NANOS = 150_000;
    /**
     * A sender that also receives wakes at least this often, so that timeouts expire and the live counts move on
     * time at low rates.
     */
    private static final long MAX_PARK_NANOS = BatchIo.POLL_MILLIS * 1_000_000L;
    /** A sender that also receives takes at most this many batches of replies per wake, then sends again. */
    private static final int MAX_BATCHES_PER_WAKE = 16;
    /**
     * The highest rate at which one thread sends and receives: below it the sender sleeps between datagrams
     * (their gap is well over {@link #MIN_PARK_NANOS}), and the replies that came meanwhile are a batch or two.
     */
    static final double ALONE_MAX_RATE = 50_000;
    /**
     * How early the sender first wakes before a datagram is due: a park ends late, by Linux's timer slack (50 µs
     * by default) and whatever else the machine is doing. The sender then learns it (see {@link #waitUntil}).
     */
    private static final long INITIAL_WAKE_EARLY_NANOS = 150_000;
    private static final long MIN_WAKE_EARLY_NANOS = 5_000;
    private static final long MAX_WAKE_EARLY_NANOS = 2_000_000;
    /** The learning step: down one after a park that ended early enough, up nine after one that did not. */
    private static final long WAKE_EARLY_STEP_NANOS = 250;
    /** Shorter waits than this are not worth a park: the sender yields instead. */
    private static final long MIN_PARK_NANOS = 10_000;
    /**
     * At most this share of the gap between two datagrams is spent yielding for the schedule, so that the
     * client's CPU scales with the rate: where a park ends later than that (a timer costs tens of microseconds
     * on a virtual machine), datagrams leave late by the rest, and the summary's send lag says by how much.
     */
    private static final double YIELD_SHARE = 0.02;

    private final BatchIo io;
    private final WireFormat format;
    private final SequenceTracker tracker;
    private final double intervalNanos;
    private final long firstMeasured;
    private final long end;
    private final Histogram sendLag;
    private volatile boolean senderDone;
    private volatile long sentUntil;
    private volatile boolean stopping;
    private volatile Throwable senderFailure;
    private long start;
    /** How late a park ends, learnt as its 90th percentile; the sender thread's own. */
    private long wakeEarly = INITIAL_WAKE_EARLY_NANOS;
    /** The longest the sender yields before a datagram is due ({@link #YIELD_SHARE} of the gap). */
    private final long maxYieldNanos;
    private final double rate;
    /** Whether the sender also receives: replies carry their kernel receive time. Set by {@link #run}. */
    private boolean alone;
    /** Whether the sender slept since it last took replies; the sender thread's own, as the next two. */
    private boolean slept;
    private long lastReceived;

    OpenLoop(BenchConfig config, BatchIo io, WireFormat format, SequenceTracker tracker, long highest) {
        this.io = io;
        this.format = format;
        this.tracker = tracker;
        this.rate = config.rate();
        this.intervalNanos = 1e9 / rate;
        this.maxYieldNanos = (long) (intervalNanos * YIELD_SHARE);
        this.firstMeasured = firstAtOrAfter(config.warmup().toNanos());
        this.end = firstAtOrAfter(config.warmup().toNanos() + config.duration().toNanos());
        this.sendLag = new Histogram(1, highest, 3);
    }

    /** @return the first sequence number scheduled at or after {@code offset} nanoseconds into the run. */
    private long firstAtOrAfter(long offset) {
        long s = (long) Math.ceil(offset / intervalNanos);
        while (s > 0 && offsetOf(s - 1) >= offset) {
            s--;
        }
        while (offsetOf(s) < offset) {
            s++;
        }
        return s;
    }

    private long offsetOf(long sequence) {
        return (long) (sequence * intervalNanos);
    }

    /**
     * @param start when the run started ({@link System#nanoTime()}): datagram 0 is due then.
     * @return the scheduled start and end of the measured part.
     * @throws IOException if the socket fails for good.
     */
    Span run(long start) throws IOException {
        this.start = start;
        tracker.startMeasuring(firstMeasured);
        alone = rate <= ALONE_MAX_RATE && io.receiveTimes();
        if (alone) {
            send();
            while (tracker.inFlight() > 0 && senderFailure == null) {
                Replies.receive(io, format, tracker); // what is still in flight, until it is answered or times out
            }
        } else {
            Thread sender = new Thread(this::send, "udpecho-bench-sender");
            sender.setDaemon(true);
            sender.start();
            try {
                while (!(senderDone && tracker.inFlight() == 0) && senderFailure == null) {
                    Replies.receive(io, format, tracker);
                }
            } finally {
                stop();
                try {
                    sender.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        Throwable failure = senderFailure;
        if (failure instanceof UncheckedIOException) {
            throw ((UncheckedIOException) failure).getCause();
        } else if (failure != null) {
            throw new IllegalStateException("sender failed", failure);
        }
        long from = start + offsetOf(firstMeasured);
        return new Span(from, Math.max(from, start + offsetOf(sentUntil)));
    }

    /** Stops sending; {@link #run} then waits for what is in flight. Any thread. */
    void stop() {
        stopping = true;
    }

    /** @return how late each datagram left against its schedule, in nanoseconds; read after {@link #run}. */
    Histogram sendLag() {
        return sendLag;
    }

    private void send() {
        try {
            long sequence = 0;
            while (sequence < end && !stopping) {
                long now = System.nanoTime();
                if (alone && (slept || now - lastReceived >= MAX_PARK_NANOS)) {
                    slept = false;
                    lastReceived = now;
                    receiveQueued(now);
                    now = System.nanoTime();
                }
                long due = Math.min(end, (long) ((now - start) / intervalNanos) + 1);
                if (sequence >= due) {
                    waitUntil(start + offsetOf(sequence));
                    continue;
                }
                int k = (int) Math.min(due - sequence, io.batch());
                int m = 0;
                while (m < k && tracker.hasRoom(sequence + m)) {
                    long s = sequence + m;
                    long scheduled = start + offsetOf(s);
                    format.write(io.outgoing(m), s, scheduled);
                    tracker.sent(s, now);
                    sendLag.recordValue(Math.max(0, Math.min(now - scheduled, sendLag.getHighestTrackableValue())));
                    m++;
                }
                if (m == 0) {
                    LockSupport.parkNanos(FULL_WAIT_NANOS); // every index is in flight: wait for timeouts
                    slept = true;
                    continue;
                }
                tracker.publishSent(sequence + m);
                if (io.send(m) < m) {
                    tracker.sendError();
                }
                sequence += m;
            }
            sentUntil = sequence;
        } catch (IOException e) {
            senderFailure = new UncheckedIOException(e);
            stopping = true;
        } catch (RuntimeException | Error e) {
            senderFailure = e;
            stopping = true;
        } finally {
            senderDone = true;
        }
    }

    /**
     * Takes the replies queued since the last wake, each timed by the kernel's receive time, and gives up on
     * what has timed out.
     *
     * @param now taken before: every reply the kernel received by then is accounted for before it expires.
     */
    private void receiveQueued(long now) {
        for (int batches = 0; batches < MAX_BATCHES_PER_WAKE; batches++) {
            int n;
            try {
                n = io.receiveQueued();
            } catch (IOException e) {
                tracker.receiveError(); // e.g. an earlier datagram refused; the socket is still usable
                continue;
            }
            Replies.account(io, format, tracker, n, now);
            if (n < io.batch()) {
                break;
            }
        }
        tracker.expire(now);
        tracker.publish();
    }

    /**
     * Waits until {@code deadline}, using a core only where the rate needs it. The sender parks until shortly
     * before the deadline, then yields until it (yields rather than spins: the receiving thread may share the
     * CPU, and a spinning sender would hold its replies up for a whole scheduler slice).
     *
     * <p>How late a park ends is learnt as a running estimate of its 90th percentile ({@link #wakeEarly}: up nine
     * steps when a park ended later than it, down one when not), and the sender wakes that much early, but never
     * more than {@link #maxYieldNanos} early: so at 1000 datagrams a second the sender sleeps but for the last few
     * microseconds before each, one late wake-up of a busy machine does not make it spin for long, and at rates
     * whose gap is shorter than a park's lateness it sends what has fallen due in one batch after each park
     * instead of spinning a core.
     */
    private void waitUntil(long deadline) {
        long early = Math.min(wakeEarly, maxYieldNanos);
        long now = System.nanoTime();
        if (deadline - now <= early + MIN_PARK_NANOS) {
            Thread.yield();
            return;
        }
        long wake = deadline - early;
        if (alone && wake - now > MAX_PARK_NANOS) {
            LockSupport.parkNanos(MAX_PARK_NANOS); // back to receive, then here again
            slept = true;
            return;
        }
        LockSupport.parkNanos(wake - now);
        slept = true;
        long late = System.nanoTime() - wake;
        wakeEarly += late > wakeEarly ? 9 * WAKE_EARLY_STEP_NANOS : -WAKE_EARLY_STEP_NANOS;
        wakeEarly = Math.max(MIN_WAKE_EARLY_NANOS, Math.min(MAX_WAKE_EARLY_NANOS, wakeEarly));
    }
}
