package dev.udpecho.bench;

import dev.udpecho.net.Transport;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * What a run measured. Immutable once returned, except that the histograms must not be changed by the caller.
 *
 * @param config     what was asked.
 * @param io         the transport used.
 * @param startedAt  when the run started, wall clock.
 * @param seconds    how long it measured: from the end of the warmup to the last send.
 * @param tally      the counts.
 * @param roundTrips the round-trip time of every datagram received, in nanoseconds (in rate mode from its
 *                   scheduled send time).
 * @param sendLag    rate mode: how late each datagram left against its schedule, in nanoseconds; otherwise
 *                   {@code null}.
 * @param intervals  the timeline, a step a second.
 * @param cpuPercent CPU time the client process used while measuring, in percent of one CPU (all its threads,
 *                   the JVM's included); NaN where the JVM cannot tell. Near 100 in window mode, the client may
 *                   have set the pace, unless much of it was polling.
 * @param pollingPercent pingpong and window modes: the share of the measured time (wall clock) the bench spent
 *                   waiting on the CPU for replies ({@link BenchConfig#busyPoll}): polling for replies that had not
 *                   come yet, or, while they came one by one, holding off a read until more had; in percent. Time
 *                   its thread waited instead of sleeping, so roughly that much of {@code cpuPercent} was waiting,
 *                   not work. 0 without polling; NaN in rate mode.
 * @param stamp      with {@link dev.udpecho.protocol.Protocol#STAMP}: the reflector's residence times, one-way
 *                   delays and loss by direction; otherwise {@code null}. With STAMP, {@code roundTrips} has the
 *                   residence time taken out.
 */
public record BenchResult(BenchConfig config, Transport io, Instant startedAt, double seconds, Tally tally,
                          Histogram roundTrips, Histogram sendLag, List<Interval> intervals,
                          double cpuPercent, double pollingPercent, StampStats stamp) {
    public BenchResult {
        intervals = List.copyOf(intervals);
    }

    /** A result without the polling share ({@code NaN}). */
    public BenchResult(BenchConfig config, Transport io, Instant startedAt, double seconds, Tally tally,
                       Histogram roundTrips, Histogram sendLag, List<Interval> intervals, double cpuPercent,
                       StampStats stamp) {
        this(config, io, startedAt, seconds, tally, roundTrips, sendLag, intervals, cpuPercent, Double.NaN, stamp);
    }

    /** A result without STAMP's figures nor the polling share. */
    public BenchResult(BenchConfig config, Transport io, Instant startedAt, double seconds, Tally tally,
                       Histogram roundTrips, Histogram sendLag, List<Interval> intervals, double cpuPercent) {
        this(config, io, startedAt, seconds, tally, roundTrips, sendLag, intervals, cpuPercent, Double.NaN, null);
    }

    /** @return datagrams received per second, over the measured time. */
    public double receivedPerSecond() {
        return seconds > 0 ? tally.received() / seconds : 0;
    }

    /**
     * @param percentile from 0 to 100.
     * @return the round-trip time at that percentile in microseconds, NaN if nothing was received.
     */
    public double roundTripMicros(double percentile) {
        return roundTrips.getTotalCount() == 0 ? Double.NaN : roundTrips.getValueAtPercentile(percentile) / 1000.0;
    }

    /** @return the shortest round trip in microseconds, NaN if nothing was received. */
    public double minMicros() {
        return roundTrips.getTotalCount() == 0 ? Double.NaN : roundTrips.getMinValue() / 1000.0;
    }

    /** @return the longest round trip in microseconds, NaN if nothing was received. */
    public double maxMicros() {
        return roundTrips.getTotalCount() == 0 ? Double.NaN : roundTrips.getMaxValue() / 1000.0;
    }

    /**
     * Writes HdrHistogram's percentile distribution of the round-trip times, in microseconds: the text its
     * plotter reads.
     */
    public void writePercentiles(PrintStream out) {
        roundTrips.outputPercentileDistribution(out, 1000.0);
    }

    /** @return the mean round trip in microseconds, NaN if nothing was received. */
    public double meanMicros() {
        return roundTrips.getTotalCount() == 0 ? Double.NaN : roundTrips.getMean() / 1000.0;
    }
}
