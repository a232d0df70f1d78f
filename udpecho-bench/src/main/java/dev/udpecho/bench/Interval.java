package dev.udpecho.bench;

/**
 * One step of a run's timeline, normally a second.
 *
 * @param index       1 for the first step after the warmup.
 * @param endSeconds  when it ended, in seconds since measuring started.
 * @param seconds     its length.
 * @param sent        datagrams sent in it.
 * @param received    datagrams received in it.
 * @param timedOut    datagrams given up in it (their timeout passed; some may still come late).
 * @param p50Micros   round-trip time p50 of the datagrams received in it, µs; NaN if none.
 * @param p99Micros   round-trip time p99 of the same.
 * @param soFar       the counts from the start of measuring to its end.
 * @param p50SoFar    round-trip time p50 from the start, µs; NaN if none yet.
 * @param p99SoFar    round-trip time p99 from the start, µs; NaN if none yet.
 */
public record Interval(int index, double endSeconds, double seconds, long sent, long received, long timedOut,
                       double p50Micros, double p99Micros, Tally soFar, double p50SoFar, double p99SoFar) {

    /** @return replies received per second in it. */
    public double receivedPerSecond() {
        return seconds > 0 ? received / seconds : 0;
    }

    /** @return datagrams given up per second in it. */
    public double timedOutPerSecond() {
        return seconds > 0 ? timedOut / seconds : 0;
    }
}
