package dev.udpecho.cli;

import dev.udpecho.bench.ProbeStats;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The terminal view: a line per target with its state, the recent round trips and loss, and its counts. */
class ProbeViewTest {
    private static ProbeStats stats(String name, boolean up, double[] recent, long sent, long lost) {
        return new ProbeStats(name, new InetSocketAddress("127.0.0.1", 8888), sent, sent - lost, lost, 0, 0, 0, 0,
                0, up, new long[20], 0, recent);
    }

    @Test
    void aLinePerTargetWithItsRecentRoundTripsAndLoss() {
        String screen = ProbeView.render(List.of(
                stats("node-a:8888", true, new double[] {379_000, 1_220_000, 11.4}, 36, 4),
                stats("[::1]:9", false, new double[] {-1, -1, 100}, 36, 35),
                stats("fresh:8888", false, null, 0, 0)), Duration.ofMillis(500));
        assertThat(screen).startsWith("\033[H\033[2J").contains("3 targets every 500 ms");
        List<String> lines = List.of(screen.split("\n"));
        assertThat(lines.get(2)).startsWith("TARGET       UP ");
        assertThat(lines.get(3)).matches("node-a:8888  up +379 us +1\\.22 ms +11\\.4% +36 +4");
        assertThat(lines.get(4)).matches("\\[::1]:9 +DOWN +- +- +100\\.0% +36 +35");
        assertThat(lines.get(5)).matches("fresh:8888 +DOWN +- +- +- +0 +0");
    }
}
