package dev.udpecho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Arrivals;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The real {@code ./udpecho bench} process against udpecho's server: its outputs and exit statuses. */
@Timeout(90)
class BenchProcessIT {
    private final Arrivals arrivals = new Arrivals();
    private EchoServer server;
    private String port;

    @BeforeEach
    void startServer() throws Exception {
        server = EchoServer.builder().port(0).workers(1).log(arrivals).start();
        port = Integer.toString(server.address().getPort());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void jsonToStandardOutputAndTheSummaryToStandardError() throws Exception {
        try (UdpEchoProcess bench = UdpEchoProcess.udpecho("bench", "--host", "127.0.0.1", "--port", port,
                "--mode", "window", "--window", "16", "--duration", "1s", "--warmup", "200ms", "--json", "-")) {
            assertThat(bench.awaitExit(60_000)).isZero();
            JsonNode json = new ObjectMapper().readTree(String.join("\n", bench.stdout()));
            assertThat(json.get("mode").asText()).isEqualTo("window");
            assertThat(json.get("window").asInt()).isEqualTo(16);
            assertThat(json.get("busy_poll_us").asDouble()).isEqualTo(50.0);
            JsonNode polling = json.get("client_polling_pct");
            assertThat(polling.isNumber()).as("a number: " + polling).isTrue();
            assertThat(polling.asDouble()).isBetween(0.0, 100.0);
            long sent = json.get("sent").asLong();
            assertThat(sent).isPositive();
            assertThat(json.get("received").asLong()).isEqualTo(sent);
            assertThat(json.get("lost").asLong()).isZero();
            assertThat(json.get("rtt_us").get("count").asLong()).isEqualTo(sent);
            List<String> err = bench.stderr();
            assertThat(err.get(0)).matches("udpecho bench: window of 16, 64-byte datagrams to 127\\.0\\.0\\.1:\\d+, \\w+ I/O");
            assertThat(err).anyMatch(l -> l.equals("sent " + sent + ", received " + sent
                    + ", lost 0 (0.00%), late 0, corrupt 0, duplicated 0, reordered 0"));
            assertThat(err).anyMatch(l -> l.matches("round trip us: min [\\d.]+, p50 [\\d.]+, p90 [\\d.]+, p99 [\\d.]+,"
                    + " p99\\.9 [\\d.]+, p99\\.99 [\\d.]+, max [\\d.]+"));
            // The summary gives the same share, rounded, where it is 0.5% or more.
            Pattern summary = Pattern.compile(
                    "replies/s \\d+, client CPU \\d+% of one core(, polling for replies (\\d+)% of the time)?");
            assertThat(err).anyMatch(l -> {
                Matcher m = summary.matcher(l);
                if (!m.matches()) {
                    return false;
                }
                double share = polling.asDouble();
                return m.group(2) == null ? share < 0.51 : share > 0.49 && Math.abs(Integer.parseInt(m.group(2)) - share) <= 0.51;
            });
        }
    }

    @Test
    void filesAndTheSummaryOnStandardOutput(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("run.json");
        Path histogram = dir.resolve("run.hgrm");
        Path report = dir.resolve("run.html");
        try (UdpEchoProcess bench = UdpEchoProcess.udpecho("bench", "--host", "127.0.0.1", "--port", port,
                "--mode", "rate", "--rate", "1000", "--duration", "1s", "--warmup", "0", "--json", json.toString(),
                "--histogram", histogram.toString(), "--report", report.toString())) {
            assertThat(bench.awaitExit(60_000)).isZero();
            assertThat(bench.stdout()).contains("sent 1000, received 1000, lost 0 (0.00%), late 0, corrupt 0,"
                    + " duplicated 0, reordered 0");
            assertThat(bench.stdout()).anyMatch(l -> l.startsWith("send lag behind schedule us: p50 "));
            assertThat(bench.stdout()).noneMatch(l -> l.contains("polling"));
            assertThat(bench.stderr()).isEmpty();
        }
        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.get("received").asLong()).isEqualTo(1000);
        assertThat(written.get("busy_poll_us").isNull()).as("rate mode does not poll").isTrue();
        assertThat(written.get("client_polling_pct").isNull()).isTrue();
        assertThat(Files.readAllLines(histogram)).anyMatch(l -> l.matches("#\\[Max\\s+=\\s+[\\d.]+, Total count\\s+=\\s+1000]"));
        assertThat(Files.readString(report)).contains("<svg", "<polyline").doesNotContain("<script");
    }

    @Test
    void againstAServerLosingFivePercentBenchReportsFivePercentWithinAPoint() throws Exception {
        try (UdpEchoProcess lossy = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1", "--quiet",
                "--loss", "0.05", "--seed", "862")) {
            String lossyPort = Integer.toString(lossy.awaitListeningPort());
            try (UdpEchoProcess bench = UdpEchoProcess.udpecho("bench", "--host", "127.0.0.1", "--port", lossyPort,
                    "--mode", "window", "--window", "64", "--duration", "3s", "--warmup", "300ms",
                    "--timeout", "300ms", "--json", "-")) {
                assertThat(bench.awaitExit(60_000)).isZero();
                JsonNode json = new ObjectMapper().readTree(String.join("\n", bench.stdout()));
                long sent = json.get("sent").asLong();
                assertThat(sent).as("enough datagrams for a rate within a point").isGreaterThan(5_000);
                assertThat(100.0 * json.get("lost").asLong() / sent).isCloseTo(5.0, offset(1.0));
                assertThat(json.get("received").asLong() + json.get("lost").asLong() + json.get("late").asLong())
                        .isEqualTo(sent);
                assertThat(bench.stderr()).anyMatch(l -> l.matches("sent \\d+, received \\d+, lost \\d+ \\([456]\\.\\d\\d%\\), .*"));
            }
        }
    }

    @Test
    void anInterruptEndsTheRunWithItsSummary() throws Exception {
        CountDownLatch running = arrivals.expect(1000);
        try (UdpEchoProcess bench = UdpEchoProcess.udpecho("bench", "--host", "127.0.0.1", "--port", port,
                "--duration", "1h", "--warmup", "0", "--json", "-")) {
            // Datagrams arrive once bench runs, and it installs its handler before it sends.
            assertThat(running.await(30, TimeUnit.SECONDS)).as("1000 datagrams from bench").isTrue();
            bench.signal("INT");
            assertThat(bench.awaitExit(20_000)).isZero();
            JsonNode json = new ObjectMapper().readTree(String.join("\n", bench.stdout()));
            assertThat(json.get("duration_s").asDouble()).isBetween(0.01, 30.0);
            assertThat(json.get("received").asLong()).isEqualTo(json.get("sent").asLong()).isPositive();
        }
    }

    @Test
    void theLargestTablesFitInTheLaunchersHeap() throws Exception {
        // A 60 s timeout asks for the most sequence numbers tracked (64 MB of tables).
        try (UdpEchoProcess bench = UdpEchoProcess.udpecho("bench", "--host", "127.0.0.1", "--port", port,
                "--mode", "window", "--timeout", "60s", "--duration", "300ms", "--warmup", "0")) {
            assertThat(bench.awaitExit(60_000)).isZero();
            assertThat(bench.stdout()).anyMatch(l -> l.startsWith("sent ") && l.contains(", lost 0 (0.00%)"));
        }
    }

    @Test
    void noReplyAtAllIsStatusOne() throws Exception {
        try (DatagramSocket silent = Loopback.socket("127.0.0.1", 1000);
             UdpEchoProcess bench = UdpEchoProcess.udpecho("bench", "--host", "127.0.0.1",
                     "--port", Integer.toString(silent.getLocalPort()), "--duration", "300ms", "--warmup", "0",
                     "--timeout", "100ms")) {
            assertThat(bench.awaitExit(60_000)).isEqualTo(1);
            assertThat(bench.stderr()).hasSize(1);
            assertThat(bench.stderr().get(0)).matches("udpecho bench: no reply from 127\\.0\\.0\\.1:"
                    + silent.getLocalPort() + " \\([123] datagrams sent\\)");
        }
    }

    @Test
    void atATerminalALiveLineEachSecond() throws Exception {
        Tools.require("tmux");
        try (Tmux terminal = new Tmux("cd " + UdpEchoProcess.home() + " && UDPECHO_NO_BUILD=1 ./udpecho bench"
                + " --host 127.0.0.1 --port " + port + " --duration 2.5s --warmup 0")) {
            List<String> screen = terminal.awaitScreen(s -> s.contains("EXIT=0"), 60_000);
            assertThat(screen.get(0)).matches("\\s+1\\.0 s\\s+\\d+ replies/s  lost 0 \\(0\\.00%\\)  p50 [\\d.]+ us  p99 [\\d.]+ us");
            assertThat(screen.get(1)).matches("\\s+2\\.0 s\\s+\\d+ replies/s .*");
            assertThat(screen.get(2)).matches("\\s+2\\.5 s\\s+\\d+ replies/s .*");
            assertThat(screen.get(3)).startsWith("udpecho bench: pingpong, 64-byte datagrams to 127.0.0.1:");
        }
    }
}
