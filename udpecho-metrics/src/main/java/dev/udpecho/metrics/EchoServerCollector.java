package dev.udpecho.metrics;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.policy.DropReason;
import dev.udpecho.server.DatagramSizes;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.ServerStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Objects;

/**
 * A running server's metrics, read from its own counters when Prometheus scrapes: the engine counts each
 * datagram once, in its single-writer per-socket counters, and this turns one {@link EchoServer#stats()}
 * snapshot into metrics. Nothing is done per datagram for metrics.
 *
 * <p>Thread-safe: scrapes may come from any thread, at the same time.
 */
public final class EchoServerCollector implements MultiCollector {
    private final EchoServer server;

    /** @param server the server to report on. */
    public EchoServerCollector(EchoServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public MetricSnapshots collect() {
        ServerStats stats = server.stats();
        return MetricSnapshots.of(
                counter("udpecho_datagrams_received", "Datagrams received.", stats.received()),
                counter("udpecho_datagrams_replied", "Replies the kernel took to send.", stats.replied()),
                dropped(stats),
                counter("udpecho_bytes_received", "Payload bytes received.", stats.bytesReceived()),
                counter("udpecho_bytes_sent", "Payload bytes sent in replies, prefix included.", stats.bytesSent()),
                counter("udpecho_kernel_drops", "Datagrams the kernel dropped before udpecho could read them:"
                        + " the socket receive buffer was full (see --rcvbuf).", stats.kernelDrops()),
                counter("udpecho_socket_errors", "Socket errors (refused sends, ICMP reports); the server went on"
                        + " serving.", stats.errors()),
                counter("udpecho_log_lines_dropped", "Per-datagram log lines not shown because the log could not keep"
                        + " up.", stats.logDropped()),
                impaired(stats),
                sizes(stats),
                GaugeSnapshot.builder().name("udpecho_serving")
                        .help("1 while every UDP socket is bound and its thread running, else 0.")
                        .dataPoint(GaugeDataPointSnapshot.builder().value(server.isServing() ? 1 : 0).build())
                        .build());
    }

    private static CounterSnapshot counter(String name, String help, long value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build())
                .build();
    }

    private static CounterSnapshot dropped(ServerStats stats) {
        CounterSnapshot.Builder builder = CounterSnapshot.builder().name("udpecho_datagrams_dropped")
                .help("Datagrams received and not answered, by reason (see docs/SECURITY.md).");
        for (DropReason reason : DropReason.values()) {
            builder.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("reason", reason.label()))
                    .value(stats.dropped(reason)).build());
        }
        return builder.build();
    }

    private static CounterSnapshot impaired(ServerStats stats) {
        CounterSnapshot.Builder builder = CounterSnapshot.builder().name("udpecho_replies_impaired")
                .help("Replies impaired on purpose by fault injection (--loss, --delay, ...), by kind.");
        for (Impairment what : Impairment.values()) {
            builder.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("kind", what.label()))
                    .value(stats.impaired(what)).build());
        }
        return builder.build();
    }

    /** Buckets 0, 1, 2, 4 ... 65536 bytes, then +Inf, which no UDP payload reaches. */
    private static HistogramSnapshot sizes(ServerStats stats) {
        DatagramSizes sizes = stats.sizes();
        double[] bounds = new double[DatagramSizes.BUCKETS + 1];
        long[] counts = new long[DatagramSizes.BUCKETS + 1];
        for (int b = 0; b < DatagramSizes.BUCKETS; b++) {
            bounds[b] = DatagramSizes.upperBound(b);
            counts[b] = sizes.count(b);
        }
        bounds[DatagramSizes.BUCKETS] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.builder().name("udpecho_datagram_size_bytes").unit(Unit.BYTES)
                .help("Payload sizes of the datagrams received.")
                .dataPoint(HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                        .sum(stats.bytesReceived())
                        .build())
                .build();
    }
}
