package dev.udpecho.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples a run once a second, on a thread of its own so that the load never waits for it: the counts the
 * receiving thread published, and the round-trip times recorded since the last sample (HdrHistogram's interval
 * histograms), which it adds up into the run's whole distribution.
 *
 * <p>It also measures the CPU time the whole process used while measuring, to tell whether the client itself
 * may have set the pace.
 *
 * <p>Where the load rehearses the start of measuring ({@link ClosedLoop}), the timeline rehearses too: from
 * then until measuring starts it takes a step every {@link #REHEARSAL_STEP_NANOS} from the rehearsal's
 * recorder, and drops it. A step's work (swapping and clearing interval histograms, adding them up, reading
 * percentiles) is then compiled before measuring starts; otherwise the JIT compiled it step by step while
 * measuring, on the bench's CPU, and the load stopped for milliseconds each second (measured with
 * {@code perf sched timehist}).
 *
 * <p>Threading: {@link #start} and {@link #finish} from the thread that runs the load; the listener is called on
 * the sampling thread, then by {@link #finish} for the last, shorter step. {@link #total}, {@link #intervals}
 * and {@link #cpuPercent} after {@link #finish}.
 */
final class Timeline {
    private static final long STEP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Between two steps of the rehearsal: often enough that the JIT compiles a step's work by its end. */
    static final long REHEARSAL_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final SequenceTracker tracker;
    private final SingleWriterRecorder recorder;
    private final SingleWriterRecorder rehearsal;
    private final Consumer<Interval> listener;
    private final long rehearseFrom;
    private final long measureFrom;
    private final Histogram total;
    /** The rehearsal's {@link #total}, dropped. */
    private final Histogram practice;
    private Histogram practiceRecycled;
    private final List<Interval> intervals = new ArrayList<>();
    private final Thread thread;
    private Histogram recycled;
    private Tally last = new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    private long lastTimedOut;
    private long lastAt;
    private volatile long cpuFrom = -1;
    private double cpuPercent = Double.NaN;
    private volatile boolean finished;

    /**
     * @param tracker      the run's accounts.
     * @param recorder     where the receiving thread records round-trip times.
     * @param rehearsal    where it records them while it rehearses the start of measuring; null if it does not.
     * @param highest      the recorders' highest trackable value.
     * @param rehearseFrom when the rehearsal starts ({@link System#nanoTime()}).
     * @param measureFrom  when measuring starts: the first step starts then.
     * @param listener     told of each step.
     */
    Timeline(SequenceTracker tracker, SingleWriterRecorder recorder, SingleWriterRecorder rehearsal, long highest,
             long rehearseFrom, long measureFrom, Consumer<Interval> listener) {
        this.tracker = tracker;
        this.recorder = recorder;
        this.rehearsal = rehearsal;
        this.listener = listener;
        this.rehearseFrom = rehearseFrom;
        this.measureFrom = measureFrom;
        this.lastAt = measureFrom;
        this.total = new Histogram(1, highest, 3);
        this.practice = rehearsal == null ? null : new Histogram(1, highest, 3);
        this.thread = new Thread(this::sample, "udpecho-bench-timeline");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops sampling and takes the last step, up to now. */
    void finish() {
        finished = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long now = System.nanoTime();
        take(now);
        long cpu = processCpuNanos();
        if (cpuFrom >= 0 && cpu >= 0 && now - measureFrom > 0) {
            cpuPercent = 100.0 * (cpu - cpuFrom) / (now - measureFrom);
        }
    }

    /**
     * Loads what {@link #cpuPercent} reads, the JVM's management beans (measured: 17–30 ms of CPU the first
     * time), so that neither the load nor its measurement waits for it. Call before the run starts.
     */
    static void prepare() {
        processCpuNanos();
    }

    /** @return the process's CPU time while measuring, in percent of one CPU; NaN where the JVM cannot tell. */
    double cpuPercent() {
        return cpuPercent;
    }

    private static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : -1;
    }

    /** @return every round-trip time measured. */
    Histogram total() {
        return total;
    }

    /** @return the steps, in order. */
    List<Interval> intervals() {
        return List.copyOf(intervals);
    }

    private void sample() {
        if (rehearsal != null && !rehearse()) {
            return;
        }
        if (!sleepUntil(measureFrom)) {
            return;
        }
        cpuFrom = processCpuNanos();
        for (long next = measureFrom + STEP_NANOS; !finished && sleepUntil(next); next += STEP_NANOS) {
            take(next);
        }
    }

    /** @return false if interrupted (finished). */
    private boolean rehearse() {
        if (!sleepUntil(rehearseFrom)) {
            return false;
        }
        for (long next = rehearseFrom; next - measureFrom < 0; next += REHEARSAL_STEP_NANOS) {
            if (finished || !sleepUntil(next)) {
                return false;
            }
            practise(next);
        }
        return true;
    }

    /** @return false if interrupted (finished). */
    private static boolean sleepUntil(long deadline) {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return true;
    }

    private synchronized void take(long at) {
        Tally now = tracker.published();
        long timedOut = tracker.publishedTimedOut();
        if (at - measureFrom <= 0 || (at - lastAt < 1_000_000 && now.equals(last))) {
            return; // still warming up, or nothing since the last step
        }
        Histogram step = recorder.getIntervalHistogram(recycled);
        total.add(step);
        Interval interval = interval(at, step, total, now, timedOut);
        recycled = step;
        last = now;
        lastTimedOut = timedOut;
        lastAt = at;
        intervals.add(interval);
        listener.accept(interval);
    }

    /** A step of the rehearsal: {@link #take}'s work on the rehearsal's recorder, dropped. */
    private void practise(long at) {
        Histogram step = rehearsal.getIntervalHistogram(practiceRecycled);
        practice.add(step);
        interval(at, step, practice, tracker.published(), tracker.publishedTimedOut());
        practiceRecycled = step;
    }

    private Interval interval(long at, Histogram step, Histogram sum, Tally now, long timedOut) {
        return new Interval(intervals.size() + 1, (at - measureFrom) / 1e9, (at - lastAt) / 1e9,
                now.sent() - last.sent(), now.received() - last.received(), timedOut - lastTimedOut,
                micros(step, 50), micros(step, 99), now, micros(sum, 50), micros(sum, 99));
    }

    private static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
