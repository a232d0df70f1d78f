package dev.udpecho.bench;

import java.net.InetSocketAddress;

/**
 * What became of one target's probes so far, as {@link Prober#stats()} reads it. Every count only grows.
 *
 * @param target     the target's name as given ({@code host:port}), or as found ({@code address:port}).
 * @param address    where the probes go.
 * @param sent       probes sent.
 * @param replies    probes answered exactly, within the timeout.
 * @param lost       probes with no reply within the timeout; one that comes later is also counted late.
 * @param late       probes whose first reply came after the timeout.
 * @param duplicated further replies to a probe that had one.
 * @param reordered  probes answered after a later probe was.
 * @param corrupt    replies that differ from the probe they answer (or name none).
 * @param refused    times the target's host said nothing listens there (ICMP port unreachable).
 * @param up         whether at least one of the target's last {@code N} decided probes got a reply and none was
 *                   refused since (see {@link Prober.Builder#downAfter}).
 * @param buckets    round trips answered in time, per bucket of {@link #bounds()} and then one above them all.
 * @param roundTripSumNanos the sum of those round trips.
 * @param recent     for a person watching: round trip p50 and p99 in nanoseconds, and the loss in percent, over
 *                   the recent window; −1 where there is none; null unless asked for.
 */
public record ProbeStats(String target, InetSocketAddress address, long sent, long replies, long lost, long late,
                         long duplicated, long reordered, long corrupt, long refused, boolean up, long[] buckets,
                         long roundTripSumNanos, double[] recent) {
    /** The buckets' upper bounds, in seconds: 10 µs to 10 s. */
    public static double[] bounds() {
        return RoundTripBuckets.BOUNDS.clone();
    }
}
