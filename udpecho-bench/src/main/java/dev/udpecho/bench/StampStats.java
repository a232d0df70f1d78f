package dev.udpecho.bench;

import org.HdrHistogram.Histogram;

/**
 * What a STAMP run measured beyond the round trip, over the replies to datagrams sent after the warmup.
 *
 * @param ssid                  the SSID of the run's packets.
 * @param residence             the time the reflector held each packet, T3 − T2, in nanoseconds.
 * @param forward               the one-way delay out, T2 − T1, in nanoseconds; {@code null} unless both clocks
 *                              say they are synchronised to UTC.
 * @param backward              the one-way delay back, T4 − T3; {@code null} likewise.
 * @param senderSynchronised    whether this host's clock was said to be synchronised ({@code --clock-synchronised}).
 * @param reflectorSynchronised whether every reply's Error Estimate had its S bit set.
 * @param negativeOneWay        replies with a one-way delay below 0 (clocks apart by more than the delay),
 *                              recorded as 0.
 * @param forwardLost           with a stateful reflector: datagrams it never received (sent less those its own
 *                              sequence numbers count); −1 otherwise. Off by one at most at either end of the run.
 * @param backwardLost          with a stateful reflector: replies it sent that never came back; −1 otherwise.
 */
public record StampStats(int ssid, Histogram residence, Histogram forward, Histogram backward,
                         boolean senderSynchronised, boolean reflectorSynchronised, long negativeOneWay,
                         long forwardLost, long backwardLost) {
    /** @return whether one-way delays were measured: both clocks synchronised. */
    public boolean oneWay() {
        return forward != null;
    }

    /** @return whether loss was split by direction: a stateful reflector. */
    public boolean byDirection() {
        return forwardLost >= 0;
    }

    /** @return a value of a histogram at a percentile, in microseconds; NaN if it is empty or absent. */
    public static double micros(Histogram h, double percentile) {
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
