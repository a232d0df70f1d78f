package dev.udpecho.bench;

import org.HdrHistogram.ValueRecorder;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Round-trip times of one probe target in fixed buckets from 10 µs to 10 s (1, 2.5 and 5 per decade), the
 * classic buckets of a Prometheus histogram; and, when a terminal shows them, the recent ones one by one.
 *
 * <p>One writer (the prober's thread); read from any thread. A bucket count is never lower than an earlier read
 * of it.
 */
final class RoundTripBuckets implements ValueRecorder {
    /** Upper bounds in seconds; a last bucket, +Inf, takes the rest. */
    static final double[] BOUNDS = {
        10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3,
        500e-3, 1, 2.5, 5, 10,
    };
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final RecentOutcomes recent;
    private volatile long sumNanos;
    private long now;

    /** @param recent where each round trip also goes, or null. */
    RoundTripBuckets(RecentOutcomes recent) {
        this.recent = recent;
    }

    /** @param at the time the next values are recorded at, {@link System#nanoTime()}. */
    void at(long at) {
        now = at;
    }

    @Override
    public void recordValue(long nanos) {
        recordValueWithCount(nanos, 1);
    }

    @Override
    public void recordValueWithCount(long nanos, long count) {
        int b = 0;
        while (b < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[b]) {
            b++;
        }
        counts.lazySet(b, counts.get(b) + count);
        sumNanos += nanos * count;
        if (recent != null) {
            for (long i = 0; i < count; i++) {
                recent.add(now, nanos);
            }
        }
    }

    @Override
    public void recordValueWithExpectedInterval(long nanos, long expectedInterval) {
        recordValue(nanos); // probes are not a closed loop: nothing to correct for
    }

    @Override
    public void reset() {
        throw new UnsupportedOperationException("counts only grow");
    }

    /** @return the count in each bucket: {@link #BOUNDS}, then +Inf. */
    long[] counts() {
        long[] c = new long[counts.length()];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i);
        }
        return c;
    }

    /** @return the sum of the round trips recorded, in nanoseconds. */
    long sumNanos() {
        return sumNanos;
    }
}
