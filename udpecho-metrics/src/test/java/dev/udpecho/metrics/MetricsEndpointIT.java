package dev.udpecho.metrics;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.impairment.Impairments;
import dev.udpecho.policy.DropReason;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.DatagramSizes;
import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;

import static dev.udpecho.testing.Loopback.receive;
import static dev.udpecho.testing.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP endpoint of a real server on loopback: counters scraped before and after, health, errors. */
@Timeout(60)
class MetricsEndpointIT {
    private static final InetAddress LOOPBACK = Loopback.address("127.0.0.1");
    /** How long the counters may take to show the last reply. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private EchoServer server;
    private MetricsEndpoint metrics;
    private String url;

    @BeforeEach
    void start() throws Exception {
        server = EchoServer.builder().port(0).bind(LOOPBACK).start();
        metrics = MetricsEndpoint.start(new InetSocketAddress(LOOPBACK, 0), server);
        url = "http://127.0.0.1:" + metrics.address().getPort();
    }

    @AfterEach
    void stop() {
        metrics.close();
        server.close();
    }

    @Test
    void countersMoveByExactlyTheDatagramsSent() throws Exception {
        PrometheusText before = PrometheusText.scrape(url + "/metrics");
        int n = 300;
        Random random = new Random(862);
        long bytes = 0;
        long[] buckets = new long[DatagramSizes.BUCKETS];
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, server.address().getPort());
        try (DatagramSocket client = Loopback.socket("127.0.0.1", 3000)) {
            for (int i = 0; i < n; i++) {
                int size = i == 0 ? 0 : i % 7 == 0 ? 1472 : random.nextInt(200);
                send(client, new byte[size], to);
                assertThat(receive(client)).as("reply " + i).hasSize(size + 5);
                bytes += size;
                buckets[bucket(size)]++;
            }
        }
        PrometheusText after = settled(before, "udpecho_datagrams_replied_total", n);
        assertThat(delta(before, after, "udpecho_datagrams_received_total")).isEqualTo(n);
        assertThat(delta(before, after, "udpecho_datagrams_replied_total")).isEqualTo(n);
        assertThat(delta(before, after, "udpecho_bytes_received_total")).isEqualTo(bytes);
        assertThat(delta(before, after, "udpecho_bytes_sent_total")).isEqualTo(bytes + 5L * n);
        for (DropReason reason : DropReason.values()) {
            assertThat(after.count("udpecho_datagrams_dropped_total{reason=\"" + reason.label() + "\"}")).isZero();
        }
        long cumulative = 0;
        for (int b = 0; b < DatagramSizes.BUCKETS; b++) {
            cumulative += buckets[b];
            String le = DatagramSizes.upperBound(b) + ".0";
            assertThat(delta(before, after, "udpecho_datagram_size_bytes_bucket{le=\"" + le + "\"}"))
                    .as("le=" + le).isEqualTo(cumulative);
        }
        assertThat(delta(before, after, "udpecho_datagram_size_bytes_bucket{le=\"+Inf\"}")).isEqualTo(n);
        assertThat(delta(before, after, "udpecho_datagram_size_bytes_count")).isEqualTo(n);
        assertThat(delta(before, after, "udpecho_datagram_size_bytes_sum")).isEqualTo(bytes);
        for (Impairment what : Impairment.values()) {
            assertThat(after.count("udpecho_replies_impaired_total{kind=\"" + what.label() + "\"}")).isZero();
        }
        assertThat(after.count("udpecho_kernel_drops_total")).isZero();
        assertThat(after.count("udpecho_socket_errors_total")).isZero();
        assertThat(after.count("udpecho_serving")).isEqualTo(1);
    }

    @Test
    void dropsAreCountedByReason() throws Exception {
        PrometheusText before = PrometheusText.scrape(url + "/metrics");
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, server.address().getPort());
        int n = 5;
        try (DatagramSocket client = Loopback.socket("127.0.0.1", 200)) {
            for (int i = 0; i < n; i++) {
                // the largest IPv4 payload: with the prefix its reply would not fit
                send(client, new byte[65_507], to);
            }
            assertThat(receive(client)).isNull();
        }
        PrometheusText after = settled(before, "udpecho_datagrams_received_total", n);
        assertThat(delta(before, after, "udpecho_datagrams_dropped_total{reason=\"oversize\"}")).isEqualTo(n);
        assertThat(delta(before, after, "udpecho_datagrams_replied_total")).isZero();
        assertThat(delta(before, after, "udpecho_datagram_size_bytes_bucket{le=\"32768.0\"}")).isZero();
        assertThat(delta(before, after, "udpecho_datagram_size_bytes_bucket{le=\"65536.0\"}")).isEqualTo(n);
    }

    @Test
    void faultInjectionIsCountedByKind() throws Exception {
        try (EchoServer lossy = EchoServer.builder().port(0).bind(LOOPBACK)
                .impairments(Impairments.parse("loss=1", "seed=862")).start();
             MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress(LOOPBACK, 0), lossy);
             DatagramSocket client = Loopback.socket("127.0.0.1", 200)) {
            String scrape = "http://127.0.0.1:" + endpoint.address().getPort() + "/metrics";
            int n = 7;
            for (int i = 0; i < n; i++) {
                send(client, new byte[10], new InetSocketAddress(LOOPBACK, lossy.address().getPort()));
            }
            assertThat(receive(client)).as("every reply lost").isNull();
            PrometheusText after = PrometheusText.scrapeUntil(scrape,
                    s -> s.count("udpecho_replies_impaired_total{kind=\"lost\"}") >= n, SETTLE);
            assertThat(after.count("udpecho_replies_impaired_total{kind=\"lost\"}")).isEqualTo(n);
            assertThat(after.count("udpecho_datagrams_received_total")).isEqualTo(n);
        }
    }

    @Test
    void theJvmIsReportedToo() throws Exception {
        PrometheusText scrape = PrometheusText.scrape(url + "/metrics");
        assertThat(scrape.value("jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
        assertThat(scrape.text()).contains("# TYPE udpecho_datagrams_received_total counter",
                "# TYPE udpecho_datagram_size_bytes histogram", "# HELP udpecho_datagrams_dropped_total");
    }

    @Test
    void healthIs200WhileServingAnd503OnceStopped() throws Exception {
        HttpResponse<String> ok = PrometheusText.get(url + "/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");
        server.close();
        HttpResponse<String> down = PrometheusText.get(url + "/healthz");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("not serving\n");
        assertThat(PrometheusText.scrape(url + "/metrics").count("udpecho_serving")).isZero();
    }

    @Test
    void otherPathsAre404() throws Exception {
        assertThat(PrometheusText.get(url + "/").statusCode()).isEqualTo(404);
        assertThat(PrometheusText.get(url + "/-/healthy").statusCode()).isEqualTo(404);
        assertThat(PrometheusText.get(url + "/healthz/x").statusCode()).isEqualTo(404);
    }

    @Test
    void aTakenPortSaysWhichAndWhy() {
        InetSocketAddress taken = metrics.address();
        assertThatThrownBy(() -> MetricsEndpoint.start(taken, server))
                .isInstanceOf(BindFailedException.class)
                .hasMessage("127.0.0.1:" + taken.getPort() + ": Address already in use");
    }

    private static int bucket(int size) {
        for (int b = 0; b < DatagramSizes.BUCKETS; b++) {
            if (size <= DatagramSizes.upperBound(b)) {
                return b;
            }
        }
        throw new AssertionError(size);
    }

    private static long delta(PrometheusText before, PrometheusText after, String sample) {
        return after.count(sample) - before.count(sample);
    }

    /** Scrapes until {@code sample} moved by {@code n}: replies are counted once the kernel took them. */
    private PrometheusText settled(PrometheusText before, String sample, long n) throws Exception {
        PrometheusText after = PrometheusText.scrapeUntil(url + "/metrics", s -> delta(before, s, sample) >= n, SETTLE);
        assertThat(delta(before, after, sample)).as(sample).isEqualTo(n);
        return after;
    }
}
