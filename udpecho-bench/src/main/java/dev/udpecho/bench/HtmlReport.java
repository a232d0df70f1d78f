package dev.udpecho.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run as one self-contained HTML page: the summary, the round-trip time by percentile (x on a log scale of
 * 1/(1−p), as HdrHistogram's plotter draws it), and the rate, the losses and the latency second by second, all
 * as inline SVG. No scripts, no external resources. Stateless.
 */
public final class HtmlReport {
    private static final String BLUE = "#1f77b4";
    private static final String ORANGE = "#ff7f0e";
    private static final String RED = "#d62728";
    private static final String[] PERCENTILE_LABELS = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%",
        "99.99999%"};

    private HtmlReport() {
    }

    /** @return the page. */
    public static String format(BenchResult r) {
        BenchConfig c = r.config();
        Tally t = r.tally();
        String title = "udpecho bench: " + c.mode() + " to " + JsonReport.address(c.server());
        StringBuilder h = new StringBuilder(32_768);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{padding:2px 12px 2px 0;text-align:left}td.n{text-align:right}pre{background:#f4f4f4;")
                .append("padding:8px}svg{display:block;margin:1.5em 0}\n</style>\n</head>\n<body>\n");
        h.append("<h1>").append(escape(title)).append("</h1>\n");
        h.append("<pre>").append(escape(SummaryText.format(r))).append("</pre>\n");
        h.append("<table>\n");
        row(h, "sent", t.sent(), "datagrams sent while measuring");
        row(h, "received", t.received(), "answered in time with exactly the prefix and the datagram");
        row(h, "lost", t.lost(), "no reply within the timeout, nor later");
        row(h, "late", t.late(), "answered after the timeout");
        row(h, "corrupt", t.corrupt(), "replies whose bytes differ from what was sent");
        row(h, "unmatched", t.unmatched(), "of the corrupt: header damaged, so they name no datagram");
        row(h, "duplicated", t.duplicated(), "further replies to a datagram already answered");
        row(h, "reordered", t.reordered(), "received after the reply to a later datagram");
        row(h, "stale", t.stale(), "replies too old to tell a duplicate from a late one");
        row(h, "errors", t.errors(), "send and receive calls refused by the system");
        h.append("</table>\n");
        h.append(percentileChart(r.roundTrips(), c.mode() == BenchMode.RATE));
        h.append(timeCharts(r.intervals()));
        h.append("<p>Started ").append(escape(r.startedAt().toString())).append("; ").append(c.size())
                .append("-byte datagrams, timeout ").append(c.timeout().toNanos() / 1e6).append(" ms, ")
                .append(escape(c.io().toString())).append(" I/O.</p>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String name, long value, String meaning) {
        h.append("<tr><th>").append(name).append("</th><td class=\"n\">").append(value).append("</td><td>")
                .append(escape(meaning)).append("</td></tr>\n");
    }

    private static String percentileChart(Histogram h, boolean fromSchedule) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double xMax = 2;
        if (h.getTotalCount() > 0) {
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p >= 1) {
                    break;
                }
                double x = Math.log10(1 / (1 - p));
                xs.add(x);
                ys.add(v.getValueIteratedTo() / 1000.0);
                xMax = Math.max(xMax, Math.ceil(x));
            }
        }
        xMax = Math.min(xMax, PERCENTILE_LABELS.length - 1);
        List<SvgChart.Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= xMax; i++) {
            ticks.add(new SvgChart.Tick(i, PERCENTILE_LABELS[i]));
        }
        String name = fromSchedule ? "round trip from the scheduled send" : "round trip";
        return SvgChart.render("Round-trip time by percentile", "percentile", "microseconds",
                List.of(new SvgChart.Series(name, BLUE, unbox(xs), unbox(ys))), ticks);
    }

    /**
     * The rate, the losses and the latency over the measured time, as step charts: each step is drawn as a level
     * from its start to its end, in seconds since measuring began, so the first starts at 0 s; a shorter last
     * step is a rate over its own length. A last step shorter than a tenth of the one before it (the moment
     * between the last full second and the end of the run) holds too few datagrams for a rate, so it is left out,
     * and the page says so.
     */
    static String timeCharts(List<Interval> intervals) {
        int n = intervals.size();
        Interval dropped = null;
        if (n > 1 && intervals.get(n - 1).seconds() < intervals.get(n - 2).seconds() / 10) {
            dropped = intervals.get(--n);
        }
        double[] t = new double[2 * n];
        double[] rate = new double[2 * n];
        double[] timedOut = new double[2 * n];
        double[] p50 = new double[2 * n];
        double[] p99 = new double[2 * n];
        for (int i = 0; i < n; i++) {
            Interval in = intervals.get(i);
            t[2 * i] = in.endSeconds() - in.seconds();
            t[2 * i + 1] = in.endSeconds();
            rate[2 * i] = rate[2 * i + 1] = in.receivedPerSecond();
            timedOut[2 * i] = timedOut[2 * i + 1] = in.timedOutPerSecond();
            p50[2 * i] = p50[2 * i + 1] = in.p50Micros();
            p99[2 * i] = p99[2 * i + 1] = in.p99Micros();
        }
        String x = "seconds since measuring began";
        List<SvgChart.Tick> ticks = SvgChart.linearTicks(n == 0 ? 1 : t[2 * n - 1], " s");
        StringBuilder h = new StringBuilder();
        h.append(SvgChart.render("Replies per second", x, "replies per second",
                List.of(new SvgChart.Series("replies/s", BLUE, t, rate)), ticks));
        h.append(SvgChart.render("Lost per second", x, "datagrams given up per second",
                List.of(new SvgChart.Series("timed out/s", RED, t, timedOut)), ticks));
        h.append(SvgChart.render("Round-trip time per second", x, "microseconds",
                List.of(new SvgChart.Series("p99", ORANGE, t, p99), new SvgChart.Series("p50", BLUE, t, p50)), ticks));
        h.append("<p class=\"steps\">Each level is one step of the run, drawn from its start to its end");
        if (n > 0 && intervals.get(n - 1).seconds() < intervals.get(0).seconds()) {
            h.append(String.format(Locale.ROOT, "; the last, %.3f s long, is a rate over its own length",
                    intervals.get(n - 1).seconds()));
        }
        if (dropped != null) {
            h.append(String.format(Locale.ROOT, ". The last %.3f s of the run (%d replies, %d given up) are too"
                    + " short for a rate and are not drawn; the totals above count them",
                    dropped.seconds(), dropped.received(), dropped.timedOut()));
        }
        return h.append(".</p>\n").toString();
    }

    private static double[] unbox(List<Double> values) {
        double[] a = new double[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    /** @return {@code text} safe inside HTML and SVG text and attributes. */
    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '<':
                    s.append("&lt;");
                    break;
                case '>':
                    s.append("&gt;");
                    break;
                case '&':
                    s.append("&amp;");
                    break;
                case '"':
                    s.append("&quot;");
                    break;
                case '\'':
                    s.append("&#39;");
                    break;
                default:
                    s.append(ch < 0x20 && ch != '\n' && ch != '\t' ? ' ' : ch);
            }
        }
        return s.toString();
    }
}
