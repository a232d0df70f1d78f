package dev.udpecho.bench;

import org.HdrHistogram.Histogram;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A run as one JSON object: the configuration, every count of {@link Tally}, {@code rps}, {@code loss_pct},
 * {@code client_cpu_pct},
 * {@code rtt_us} (count, min, mean, p50, p90, p99, p999, p9999, max), {@code send_lag_us} in rate mode, and the
 * timeline as {@code intervals}. Times in microseconds, {@code null} where nothing was measured. Stateless.
 */
public final class JsonReport {
    private JsonReport() {
    }

    /** @return the JSON text, ended by a newline. */
    public static String format(BenchResult r) {
        BenchConfig c = r.config();
        Tally t = r.tally();
        StringBuilder s = new StringBuilder(512 + 160 * r.intervals().size());
        s.append('{');
        field(s, "mode", string(c.mode().toString()));
        field(s, "protocol", string(c.protocol().label()));
        field(s, "server", string(address(c.server())));
        field(s, "io", string(c.io().toString()));
        field(s, "started_at", string(r.startedAt().toString()));
        field(s, "size", c.size());
        field(s, "prefix_bytes", c.prefix().length);
        field(s, "window", c.mode() == BenchMode.RATE ? "null" : Long.toString(c.window()));
        field(s, "rate", c.mode() == BenchMode.RATE ? Long.toString(c.rate()) : "null");
        field(s, "duration_s", number(r.seconds()));
        field(s, "warmup_s", number(c.warmup().toNanos() / 1e9));
        field(s, "timeout_s", number(c.timeout().toNanos() / 1e9));
        field(s, "busy_poll_us", c.mode() == BenchMode.RATE ? "null" : number(c.busyPoll().toNanos() / 1e3));
        field(s, "sent", t.sent());
        field(s, "received", t.received());
        field(s, "lost", t.lost());
        field(s, "late", t.late());
        field(s, "corrupt", t.corrupt());
        field(s, "unmatched", t.unmatched());
        field(s, "duplicated", t.duplicated());
        field(s, "reordered", t.reordered());
        field(s, "stale", t.stale());
        field(s, "errors", t.errors());
        field(s, "rps", number(r.receivedPerSecond()));
        field(s, "loss_pct", number(t.lossPercent()));
        field(s, "client_cpu_pct", number(r.cpuPercent()));
        field(s, "client_polling_pct", number(r.pollingPercent()));
        field(s, "rtt_us", distribution(r.roundTrips()));
        if (r.sendLag() != null) {
            field(s, "send_lag_us", distribution(r.sendLag()));
        }
        StampStats st = r.stamp();
        if (st != null) {
            StringBuilder o = new StringBuilder("{");
            field(o, "ssid", st.ssid());
            field(o, "residence_us", distribution(st.residence()));
            field(o, "one_way", Boolean.toString(st.oneWay()));
            field(o, "sender_synchronised", Boolean.toString(st.senderSynchronised()));
            field(o, "reflector_synchronised", Boolean.toString(st.reflectorSynchronised()));
            field(o, "forward_us", st.oneWay() ? distribution(st.forward()) : "null");
            field(o, "backward_us", st.oneWay() ? distribution(st.backward()) : "null");
            field(o, "negative_one_way", st.negativeOneWay());
            field(o, "forward_lost", st.byDirection() ? Long.toString(st.forwardLost()) : "null");
            field(o, "backward_lost", st.byDirection() ? Long.toString(st.backwardLost()) : "null");
            close(o);
            field(s, "stamp", o.toString());
        }
        StringBuilder list = new StringBuilder("[");
        for (Interval i : r.intervals()) {
            if (list.length() > 1) {
                list.append(',');
            }
            list.append('{');
            field(list, "t_s", number(i.endSeconds()));
            field(list, "seconds", number(i.seconds()));
            field(list, "sent", i.sent());
            field(list, "received", i.received());
            field(list, "timed_out", i.timedOut());
            field(list, "rps", number(i.receivedPerSecond()));
            field(list, "p50_us", number(i.p50Micros()));
            field(list, "p99_us", number(i.p99Micros()));
            close(list);
        }
        field(s, "intervals", list.append(']').toString());
        close(s);
        return s.append('\n').toString();
    }

    /** @return {@code 127.0.0.1:8888} or {@code [::1]:8888}. */
    static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String distribution(Histogram h) {
        StringBuilder s = new StringBuilder("{");
        boolean none = h.getTotalCount() == 0;
        field(s, "count", h.getTotalCount());
        field(s, "min", none ? "null" : number(h.getMinValue() / 1000.0));
        field(s, "mean", none ? "null" : number(h.getMean() / 1000.0));
        double[] levels = {50, 90, 99, 99.9, 99.99};
        String[] names = {"p50", "p90", "p99", "p999", "p9999"};
        for (int i = 0; i < levels.length; i++) {
            field(s, names[i], none ? "null" : number(h.getValueAtPercentile(levels[i]) / 1000.0));
        }
        field(s, "max", none ? "null" : number(h.getMaxValue() / 1000.0));
        close(s);
        return s.toString();
    }

    private static void field(StringBuilder s, String name, long value) {
        field(s, name, Long.toString(value));
    }

    private static void field(StringBuilder s, String name, String json) {
        if (s.charAt(s.length() - 1) != '{') {
            s.append(',');
        }
        s.append(string(name)).append(':').append(json);
    }

    private static void close(StringBuilder s) {
        s.append('}');
    }

    private static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.3f", d);
    }

    /** @return {@code text} as a JSON string: quotes, backslashes and control characters escaped. */
    static String string(String text) {
        StringBuilder s = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"' || ch == '\\') {
                s.append('\\').append(ch);
            } else if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                s.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                s.append(ch);
            }
        }
        return s.append('"').toString();
    }
}
