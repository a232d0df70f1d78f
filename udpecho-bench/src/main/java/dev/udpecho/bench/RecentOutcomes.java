package dev.udpecho.bench;

import java.util.Arrays;

/**
 * The outcomes of a target's recent probes, one by one, for a person watching: each round trip, or a loss, with
 * the time it became known. A ring: the oldest go first. Written by the prober's thread, read by the view's.
 */
final class RecentOutcomes {
    private static final long LOST = -1;
    private final long[] times;
    private final long[] roundTrips;
    private int next;
    private int size;

    /** @param capacity outcomes kept: enough for the window the view shows. */
    RecentOutcomes(int capacity) {
        times = new long[capacity];
        roundTrips = new long[capacity];
    }

    synchronized void add(long at, long roundTripNanos) {
        times[next] = at;
        roundTrips[next] = roundTripNanos;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
    }

    void lost(long at) {
        add(at, LOST);
    }

    /**
     * @param since outcomes known from this time on, {@link System#nanoTime()}.
     * @return {p50, p99} of the round trips in nanoseconds (−1 if there is none), and the loss in percent (−1 if
     *     no probe had an outcome).
     */
    synchronized double[] summary(long since) {
        long[] kept = new long[size];
        int n = 0;
        int lost = 0;
        for (int k = 0; k < size; k++) {
            int i = Math.floorMod(next - 1 - k, times.length);
            if (times[i] - since < 0) {
                break;
            }
            if (roundTrips[i] == LOST) {
                lost++;
            } else {
                kept[n++] = roundTrips[i];
            }
        }
        if (n + lost == 0) {
            return new double[] {-1, -1, -1};
        }
        Arrays.sort(kept, 0, n);
        return new double[] {n == 0 ? -1 : kept[(n - 1) / 2], n == 0 ? -1 : kept[(int) Math.ceil(0.99 * n) - 1],
            100.0 * lost / (n + lost)};
    }
}
