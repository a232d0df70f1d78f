package dev.udpecho.bench;

import dev.udpecho.protocol.Protocol;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The few lines that end a run: what was measured, every count, the rate, and the round-trip percentiles in
 * microseconds. Stateless.
 */
public final class SummaryText {
    private SummaryText() {
    }

    /** @return the summary, lines ended by {@code \n}. */
    public static String format(BenchResult r) {
        BenchConfig c = r.config();
        Tally t = r.tally();
        StringBuilder s = new StringBuilder();
        s.append("udpecho bench: ").append(what(c)).append(", ").append(c.size()).append("-byte ")
                .append(c.protocol() == Protocol.ECHO ? "datagrams" : c.protocol() == Protocol.STAMP
                        ? "STAMP packets" : "sockperf messages").append(" to ")
                .append(JsonReport.address(c.server())).append(", ").append(c.io()).append(" I/O\n");
        s.append(String.format(Locale.ROOT, "measured %.2f s after %.2f s of warmup%n", r.seconds(),
                c.warmup().toNanos() / 1e9));
        s.append(String.format(Locale.ROOT, "sent %d, received %d, lost %d (%s%%), late %d, corrupt %d, duplicated %d,"
                        + " reordered %d", t.sent(), t.received(), t.lost(), percent(t.lossPercent()), t.late(),
                t.corrupt(), t.duplicated(), t.reordered()));
        if (t.unmatched() > 0) {
            s.append(", of the corrupt unmatched ").append(t.unmatched());
        }
        if (t.stale() > 0) {
            s.append(", stale ").append(t.stale());
        }
        if (t.errors() > 0) {
            s.append(", socket errors ").append(t.errors());
        }
        s.append('\n');
        s.append(String.format(Locale.ROOT, "replies/s %.0f", r.receivedPerSecond()));
        if (!Double.isNaN(r.cpuPercent())) {
            s.append(String.format(Locale.ROOT, ", client CPU %.0f%% of one core", r.cpuPercent()));
            if (r.pollingPercent() >= 0.5) {
                s.append(String.format(Locale.ROOT, ", polling for replies %.0f%% of the time", r.pollingPercent()));
            }
        }
        s.append('\n');
        if (r.roundTrips().getTotalCount() > 0) {
            s.append(String.format(Locale.ROOT, "round trip us: min %s, p50 %s, p90 %s, p99 %s, p99.9 %s, p99.99 %s,"
                            + " max %s%n", us(r.minMicros()), us(r.roundTripMicros(50)), us(r.roundTripMicros(90)),
                    us(r.roundTripMicros(99)), us(r.roundTripMicros(99.9)), us(r.roundTripMicros(99.99)),
                    us(r.maxMicros())));
        }
        StampStats stamp = r.stamp();
        if (stamp != null) {
            stamp(s, stamp);
        }
        Histogram lag = r.sendLag();
        if (lag != null && lag.getTotalCount() > 0) {
            s.append(String.format(Locale.ROOT, "send lag behind schedule us: p50 %s, p99 %s, max %s%n",
                    us(lag.getValueAtPercentile(50) / 1000.0), us(lag.getValueAtPercentile(99) / 1000.0),
                    us(lag.getMaxValue() / 1000.0)));
        }
        if (t.received() == 0 && t.corrupt() > 0 && c.protocol() == Protocol.ECHO) {
            s.append("no reply was the prefix '").append(new String(c.prefix(), StandardCharsets.UTF_8))
                    .append("' followed by the datagram sent: does the server use another prefix?"
                            + " (--prefix '' for a plain echo)\n");
        }
        return s.toString();
    }

    private static void stamp(StringBuilder s, StampStats st) {
        Histogram held = st.residence();
        if (held.getTotalCount() > 0) {
            s.append(String.format(Locale.ROOT, "reflector residence us (out of the round trip): p50 %s, p99 %s,"
                            + " max %s%n", us(StampStats.micros(held, 50)), us(StampStats.micros(held, 99)),
                    us(held.getMaxValue() / 1000.0)));
        }
        if (st.oneWay()) {
            s.append(String.format(Locale.ROOT, "one-way us: forward p50 %s, p99 %s; backward p50 %s, p99 %s",
                    us(StampStats.micros(st.forward(), 50)), us(StampStats.micros(st.forward(), 99)),
                    us(StampStats.micros(st.backward(), 50)), us(StampStats.micros(st.backward(), 99))));
            if (st.negativeOneWay() > 0) {
                s.append(", below 0 (clocks apart) ").append(st.negativeOneWay());
            }
            s.append('\n');
        } else {
            s.append("one-way delays not measured: ").append(st.senderSynchronised()
                    ? "the reflector does not say its clock is synchronised (S bit)"
                    : "this clock is not said to be synchronised (--clock-synchronised)").append('\n');
        }
        if (st.byDirection()) {
            s.append("lost forward ").append(st.forwardLost()).append(", backward ").append(st.backwardLost())
                    .append(" (by the stateful reflector's sequence numbers)\n");
        }
    }

    /**
     * @param i a step of the timeline.
     * @return one line for a terminal: the step's rate, the loss and the percentiles so far.
     */
    public static String live(Interval i) {
        Tally t = i.soFar();
        return String.format(Locale.ROOT, "%6.1f s  %9.0f replies/s  lost %d (%s%%)  p50 %s us  p99 %s us",
                i.endSeconds(), i.receivedPerSecond(), t.lost(), percent(t.lossPercent()), us(i.p50SoFar()),
                us(i.p99SoFar()));
    }

    private static String what(BenchConfig c) {
        switch (c.mode()) {
            case PINGPONG:
                return "pingpong";
            case WINDOW:
                return "window of " + c.window();
            default:
                return "rate " + c.rate() + "/s";
        }
    }

    private static String us(double micros) {
        return Double.isNaN(micros) ? "-" : String.format(Locale.ROOT, "%.1f", micros);
    }

    private static String percent(double p) {
        return p == 0 || p >= 0.01 ? String.format(Locale.ROOT, "%.2f", p) : String.format(Locale.ROOT, "%.2g", p);
    }
}
