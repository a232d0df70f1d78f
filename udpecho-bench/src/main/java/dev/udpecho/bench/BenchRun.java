package dev.udpecho.bench;

import dev.udpecho.net.Transport;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.IOException;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one measurement: opens the socket, loads the server in the configured mode while a timeline samples it,
 * and returns what was measured.
 *
 * <pre>{@code
 * BenchResult result = BenchRun.run(config, interval -> System.err.println(interval.receivedPerSecond()));
 * }</pre>
 *
 * <p>{@link #run()} blocks the calling thread for the warmup, the duration and the wait for the last replies,
 * once; {@link #stop()} may be called from any thread.
 */
public final class BenchRun {
    /** Round trips longer than an hour are recorded as an hour. */
    static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);
    /** A closed loop on one thread sends at most about this many datagrams per second. */
    private static final long CLOSED_LOOP_RATE = 500_000;
    /** Tracked sequence numbers, 16 bytes each: 64 MB at most, well inside the launcher's 256 MB heap. */
    private static final int MAX_CAPACITY = 1 << 22;

    private final BenchConfig config;
    private final Consumer<Interval> listener;
    private volatile Runnable stopper;
    private volatile boolean stopped;

    /**
     * @param config   what to measure.
     * @param listener told of each second of the timeline, on another thread.
     */
    public BenchRun(BenchConfig config, Consumer<Interval> listener) {
        this.config = config;
        this.listener = listener;
    }

    /** @return what {@code new BenchRun(config, listener).run()} returns. */
    public static BenchResult run(BenchConfig config, Consumer<Interval> listener) throws IOException {
        return new BenchRun(config, listener).run();
    }

    /**
     * Ends the measurement early: sending stops at once, the datagrams in flight are waited for as at the end
     * of the duration, and {@link #run()} returns what was measured until then. Any thread; idempotent.
     */
    public void stop() {
        stopped = true;
        Runnable s = stopper;
        if (s != null) {
            s.run();
        }
    }

    /**
     * @return what was measured.
     * @throws IOException if the socket cannot be opened or connected, or fails for good.
     */
    public BenchResult run() throws IOException {
        SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_NANOS, 3);
        long timeout = config.timeout().toNanos();
        SequenceTracker tracker = new SequenceTracker(capacity(config), timeout, recorder, HIGHEST_NANOS);
        long key = new SplittableRandom().nextLong();
        StampFormat stamp = null;
        WireFormat format;
        switch (config.protocol()) {
            case STAMP:
                format = stamp = new StampFormat(config.size(), key, config.clockSynchronised(),
                        config.stampStateful(), tracker, HIGHEST_NANOS);
                break;
            case SOCKPERF:
                format = new SockperfFormat(config.size(), key);
                break;
            default:
                format = new DatagramFormat(config.prefix(), config.size(), key);
        }
        Instant startedAt = Instant.now();
        try (BatchIo io = open(config)) {
            Timeline.prepare();
            long start = System.nanoTime();
            long warmup = config.warmup().toNanos();
            // The window's loop rehearses the start of measuring, and the timeline with it (see ClosedLoop).
            SingleWriterRecorder rehearsal = config.mode() == BenchMode.RATE || warmup == 0
                    ? null : new SingleWriterRecorder(1, HIGHEST_NANOS, 3);
            Timeline timeline = new Timeline(tracker, recorder, rehearsal, HIGHEST_NANOS,
                    ClosedLoop.rehearseFrom(start, warmup), start + warmup, listener);
            timeline.start();
            Span span;
            OpenLoop open = null;
            ClosedLoop closed = null;
            try {
                if (config.mode() == BenchMode.RATE) {
                    open = new OpenLoop(config, io, format, tracker, HIGHEST_NANOS);
                    stopper = open::stop;
                    if (stopped) {
                        open.stop();
                    }
                    span = open.run(start);
                } else {
                    closed = new ClosedLoop(config, io, format, tracker, rehearsal);
                    stopper = closed::stop;
                    if (stopped) {
                        closed.stop();
                    }
                    span = closed.run(start);
                }
            } finally {
                timeline.finish();
            }
            return new BenchResult(config, config.io(), startedAt, span.seconds(), tracker.tally(), timeline.total(),
                    open == null ? null : open.sendLag(), timeline.intervals(), timeline.cpuPercent(),
                    closed == null ? Double.NaN : closed.pollingPercent(span),
                    stamp == null ? null : stamp.stats(tracker.tally()));
        }
    }
    /**
     * The sequence numbers to track: at least what the timeout can hold in flight, so that the sender seldom
     * waits for an index (it does only while a datagram is unanswered and {@code capacity} newer ones went out).
     */
    static int capacity(BenchConfig config) {
        double timeoutSeconds = config.timeout().toNanos() / 1e9;
        long span = config.mode() == BenchMode.RATE
                ? (long) Math.ceil(config.rate() * timeoutSeconds)
                : Math.max(config.window(), (long) Math.ceil(CLOSED_LOOP_RATE * timeoutSeconds));
        return Math.min(MAX_CAPACITY, SequenceTracker.capacityFor(span));
    }

    private static BatchIo open(BenchConfig config) throws IOException {
        return config.io() == Transport.NATIVE
                ? NativeBatchIo.open(config.server(), config.size(), config.replySize())
                : ChannelBatchIo.open(config.server(), config.size(), config.replySize());
    }
}
