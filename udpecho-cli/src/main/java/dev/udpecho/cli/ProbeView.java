package dev.udpecho.cli;

import dev.udpecho.bench.ProbeStats;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code udpecho probe}'s terminal view: the screen cleared, then a line per target with its state, the round
 * trip's p50 and p99 and the loss over the last minute, and its counts since the start. Redrawn every interval.
 */
final class ProbeView {
    private static final String CLEAR = "\033[H\033[2J";

    private ProbeView() {
    }

    /** @return the screen, escape codes included. */
    static String render(List<ProbeStats> all, Duration interval) {
        int width = "TARGET".length();
        for (ProbeStats s : all) {
            width = Math.max(width, s.target().length());
        }
        StringBuilder b = new StringBuilder(CLEAR);
        b.append(String.format(Locale.ROOT, "udpecho probe: %d targets every %d ms; last minute%n%n", all.size(),
                interval.toMillis()));
        b.append(String.format(Locale.ROOT, "%-" + width + "s  %-4s  %10s  %10s  %7s  %10s  %10s%n", "TARGET", "UP",
                "RTT p50", "RTT p99", "LOSS", "SENT", "LOST"));
        for (ProbeStats s : all) {
            double[] r = s.recent();
            b.append(String.format(Locale.ROOT, "%-" + width + "s  %-4s  %10s  %10s  %7s  %10d  %10d%n", s.target(),
                    s.up() ? "up" : "DOWN", time(r == null ? -1 : r[0]), time(r == null ? -1 : r[1]),
                    r == null || r[2] < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", r[2]), s.sent(), s.lost()));
        }
        return b.toString();
    }

    private static String time(double nanos) {
        if (nanos < 0) {
            return "-";
        }
        if (nanos < 1e6) {
            return String.format(Locale.ROOT, "%.0f us", nanos / 1e3);
        }
        if (nanos < 1e9) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
