package dev.udpecho.cli;

import dev.udpecho.metrics.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code udpecho server --metrics}: the real process scraped before and after, its health, its summary. */
@Timeout(90)
class MetricsProcessIT {

    @Test
    void countersMoveByExactlyTheDatagramsSentAndHealthIsOk() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1", "--quiet",
                "--metrics", "127.0.0.1:0");
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = server.awaitListeningPort();
            String metrics = server.awaitOut("Metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics", 30_000).group(1);
            assertThat(PrometheusText.get(metrics + "/healthz").statusCode()).isEqualTo(200);

            PrometheusText before = PrometheusText.scrape(metrics + "/metrics");
            int n = 100;
            client.setSoTimeout(5_000);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
            for (int i = 0; i < n; i++) {
                client.send(new DatagramPacket(new byte[i], i, to));
                DatagramPacket reply = new DatagramPacket(new byte[200], 200);
                client.receive(reply);
                assertThat(reply.getLength()).isEqualTo(5 + i);
            }
            long bytes = (long) n * (n - 1) / 2;
            // a reply is counted once the kernel took it, maybe just after the client read it
            PrometheusText after = PrometheusText.scrapeUntil(metrics + "/metrics",
                    s -> delta(before, s, "udpecho_datagrams_replied_total") >= n, Duration.ofSeconds(5));
            assertThat(delta(before, after, "udpecho_datagrams_received_total")).isEqualTo(n);
            assertThat(delta(before, after, "udpecho_datagrams_replied_total")).isEqualTo(n);
            assertThat(delta(before, after, "udpecho_bytes_received_total")).isEqualTo(bytes);
            assertThat(delta(before, after, "udpecho_bytes_sent_total")).isEqualTo(bytes + 5L * n);
            assertThat(delta(before, after, "udpecho_datagram_size_bytes_count")).isEqualTo(n);
            assertThat(delta(before, after, "udpecho_datagram_size_bytes_bucket{le=\"0.0\"}")).isEqualTo(1);
            assertThat(delta(before, after, "udpecho_datagram_size_bytes_bucket{le=\"64.0\"}")).isEqualTo(65);
            assertThat(after.count("udpecho_datagrams_dropped_total{reason=\"rate-limited\"}")).isZero();

            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();
            assertThat(server.stdout()).contains("Metrics on " + metrics + "/metrics",
                    "Summary: received " + n + ", replied " + n + ", dropped 0, bytes in " + bytes + ", bytes out "
                            + (bytes + 5L * n) + ", empty 1");
        }
    }

    @Test
    void aTakenMetricsPortSaysBindFailedAndExitsOne() throws Exception {
        try (UdpEchoProcess first = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1", "--quiet",
                "--metrics", "127.0.0.1:0")) {
            String taken = first.awaitOut("Metrics on http://(127\\.0\\.0\\.1:\\d+)/metrics", 30_000).group(1);
            try (UdpEchoProcess second = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1",
                    "--metrics", taken)) {
                assertThat(second.awaitExit(30_000)).isEqualTo(1);
                assertThat(second.stderr()).containsExactly("Bind failed (metrics): " + taken + ": Address already in use");
            }
        }
    }

    private static long delta(PrometheusText before, PrometheusText after, String sample) {
        return after.count(sample) - before.count(sample);
    }
}
