package dev.udpecho.cli;

import dev.udpecho.metrics.PrometheusText;
import dev.udpecho.testing.Dnsmasq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code udpecho probe} as a process, against {@code udpecho server --loss 0.2} as a process, its metrics read by
 * Prometheus's own Python parser; its targets from a DNS server nobody on the team wrote (dnsmasq) as the records
 * change; and bad command lines.
 */
@Timeout(120)
class ProbeProcessIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theLossOfALossyServerReadsInTheMetricsAndTheyParse() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1",
                "--loss", "0.2", "--seed", "3", "--quiet")) {
            int port = Integer.parseInt(server.awaitOut("Listening on udp://127\\.0\\.0\\.1:(\\d+) \\(\\w+\\)", 30_000)
                    .group(1));
            try (UdpEchoProcess probe = UdpEchoProcess.udpecho("probe", "--target", "127.0.0.1:" + port,
                    "--interval", "2ms", "--timeout", "20ms", "--metrics", "127.0.0.1:0", "--label", "node=a",
                    "--view", "off")) {
                probe.awaitOut("Probing 1 targets every 2 ms", 30_000);
                String url = probe.awaitOut("Metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)", 30_000).group(1);
                String target = "{node=a,target=127.0.0.1:" + port + "}";
                String written = "{node=\"a\",target=\"127.0.0.1:" + port + "\"}";
                PrometheusText scraped = PrometheusText.scrapeUntil(url, t -> t.value("udpecho_probe_replies_total"
                        + written) + t.value("udpecho_probe_lost_total" + written) >= 2000, Duration.ofSeconds(60));
                List<String> samples = PrometheusParser.samples(scraped.text());
                double loss = 100 * PrometheusParser.value(samples, "udpecho_probe_lost_total" + target)
                        / decided(samples, target);
                assertThat(loss).as("loss in percent").isCloseTo(20.0, within(2.0));
                assertThat(PrometheusParser.value(samples, "udpecho_probe_up" + target)).isEqualTo(1.0);
                assertThat(PrometheusParser.value(samples, "udpecho_probe_targets{node=a}")).isEqualTo(1.0);
                double answered = PrometheusParser.value(samples, "udpecho_probe_round_trip_seconds_count" + target);
                assertThat(PrometheusParser.value(samples,
                        "udpecho_probe_round_trip_seconds_bucket{le=+Inf,node=a,target=127.0.0.1:" + port + "}"))
                        .isEqualTo(answered);
                assertThat(samples.stream().filter(l -> l.startsWith("udpecho_probe_round_trip_seconds_bucket{")
                        && l.contains("target=127.0.0.1:" + port + "}"))).as("10 µs to 10 s, 1-2.5-5, and +Inf")
                        .hasSize(20);
                assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url.replace("/metrics", "/healthz"))).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(probe.stdout()).as("a line as the target came up").anyMatch(l ->
                        l.startsWith("127.0.0.1:" + port + " up"));

                probe.signal("INT");
                assertThat(probe.awaitExit(30_000)).isZero();
                assertThat(probe.stdout()).anyMatch(l -> l.startsWith("Summary 127.0.0.1:" + port + ": sent "));
            }
        }
    }

    @Test
    void targetsFromDnsComeAndGoInTheMetrics(@TempDir Path hosts) throws Exception {
        String name = "mesh.udpecho.test";
        Path file = hosts.resolve("mesh");
        Files.writeString(file, "127.0.0.2 " + name + "\n");
        try (Dnsmasq dns = Dnsmasq.startWithHosts(hosts, name, "127.0.0.2");
             UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1", "--quiet")) {
            int port = Integer.parseInt(server.awaitOut("Listening on udp://127\\.0\\.0\\.1:(\\d+) \\(\\w+\\)", 30_000)
                    .group(1));
            try (UdpEchoProcess probe = UdpEchoProcess.udpecho("probe", "--targets-from-dns", name,
                    "--dns-server", "127.0.0.1:" + dns.port(), "--target-port", Integer.toString(port),
                    "--refresh", "200ms", "--interval", "50ms", "--metrics", "127.0.0.1:0", "--view", "off")) {
                String url = probe.awaitOut("Metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)", 30_000).group(1);
                String nobody = "udpecho_probe_up{target=\"127.0.0.2:" + port + "\"}";
                String echo = "udpecho_probe_up{target=\"127.0.0.1:" + port + "\"}";
                assertThat(PrometheusText.scrapeUntil(url, t -> t.samples().getOrDefault(nobody, -1.0) == 0,
                        Duration.ofSeconds(30)).samples()).as("the first record probed, nothing listening there")
                        .containsEntry(nobody, 0.0);

                Files.writeString(file, "127.0.0.2 " + name + "\n127.0.0.1 " + name + "\n");
                assertThat(PrometheusText.scrapeUntil(url, t -> t.samples().getOrDefault(echo, -1.0) == 1,
                        Duration.ofSeconds(30)).samples()).as("the added record probed and up")
                        .containsEntry(echo, 1.0);

                Files.writeString(file, "127.0.0.1 " + name + "\n");
                PrometheusText gone = PrometheusText.scrapeUntil(url, t -> !t.text().contains("127.0.0.2"),
                        Duration.ofSeconds(30));
                assertThat(gone.text()).as("the removed record's series gone").doesNotContain("127.0.0.2");
                assertThat(PrometheusParser.samples(gone.text()))
                        .contains("udpecho_probe_up{target=127.0.0.1:" + port + "} 1.0");
            }
        }
    }

    @Test
    void badCommandLinesGetOneClearLine() throws Exception {
        assertOneLine(2, "nothing to probe", "probe");
        assertOneLine(2, "cannot resolve 'no-such-host.invalid'", "probe", "--target", "no-such-host.invalid:8888");
        assertOneLine(2, "not a port", "probe", "--target", "127.0.0.1:99999");
        assertOneLine(2, "'target' names each target already", "probe", "--target", "127.0.0.1:7",
                "--label", "target=x");
        assertOneLine(2, "--view", "probe", "--target", "127.0.0.1:7", "--view", "sometimes");
        assertOneLine(2, "--targets-file", "probe", "--targets-file", "/nonexistent/targets");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertOneLine(1, "Bind failed (metrics): 127.0.0.1:" + taken.getLocalPort(), "probe", "--target",
                    "127.0.0.1:7", "--metrics", "127.0.0.1:" + taken.getLocalPort(), "--view", "off");
        }
    }

    private static void assertOneLine(int status, String says, String... args) throws Exception {
        try (UdpEchoProcess p = UdpEchoProcess.udpecho(args)) {
            assertThat(p.awaitExit(30_000)).as("exit status of %s", List.of(args)).isEqualTo(status);
            assertThat(p.stderr()).as("stderr of %s", List.of(args)).hasSize(1);
            assertThat(p.stderr().get(0)).contains(says);
        }
    }

    private static double decided(List<String> samples, String target) {
        return PrometheusParser.value(samples, "udpecho_probe_replies_total" + target)
                + PrometheusParser.value(samples, "udpecho_probe_lost_total" + target);
    }


}
