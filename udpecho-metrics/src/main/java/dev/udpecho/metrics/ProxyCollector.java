package dev.udpecho.metrics;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.proxy.Direction;
import dev.udpecho.proxy.FlowStats;
import dev.udpecho.proxy.ProxyStats;
import dev.udpecho.proxy.UdpProxy;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A running proxy's metrics, read from one {@link UdpProxy#stats()} snapshot per scrape, each count labelled
 * with its {@code direction} ({@code up}: client → upstream, {@code down}: upstream → client). Nothing is done
 * per datagram for metrics.
 *
 * <p>Thread-safe: scrapes may come from any thread, at the same time.
 */
public final class ProxyCollector implements MultiCollector {
    private final UdpProxy proxy;

    /** @param proxy the proxy to report on. */
    public ProxyCollector(UdpProxy proxy) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    public MetricSnapshots collect() {
        ProxyStats stats = proxy.stats();
        return MetricSnapshots.of(
                perDirection("udpecho_proxy_datagrams_received", "Datagrams received to be forwarded.", stats,
                        FlowStats::received),
                perDirection("udpecho_proxy_datagrams_forwarded", "Datagrams the kernel took to send on (a"
                        + " duplicate counts twice).", stats, FlowStats::forwarded),
                perDirection("udpecho_proxy_bytes_forwarded", "Bytes of the datagrams forwarded.", stats,
                        FlowStats::bytesForwarded),
                impaired(stats),
                perDirection("udpecho_proxy_errors", "Sends the system refused: up, an upstream that refused"
                        + " (ICMP port unreachable); down, a client that could not be sent to.", stats,
                        FlowStats::errors),
                sessionEvents(stats),
                GaugeSnapshot.builder().name("udpecho_proxy_sessions").help("Sessions open: one per client.")
                        .dataPoint(GaugeDataPointSnapshot.builder().value(stats.sessions()).build()).build(),
                GaugeSnapshot.builder().name("udpecho_proxy_serving").help("1 while the proxy forwards, else 0.")
                        .dataPoint(GaugeDataPointSnapshot.builder().value(proxy.isServing() ? 1 : 0).build())
                        .build());
    }

    private static CounterSnapshot perDirection(String name, String help, ProxyStats stats,
                                                ToLongFunction<FlowStats> count) {
        CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
        for (Direction d : Direction.values()) {
            builder.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("direction", d.label()))
                    .value(count.applyAsLong(stats.of(d))).build());
        }
        return builder.build();
    }

    private static CounterSnapshot impaired(ProxyStats stats) {
        CounterSnapshot.Builder builder = CounterSnapshot.builder().name("udpecho_proxy_datagrams_impaired")
                .help("Datagrams impaired on purpose (--loss, --delay, ..., --rate, --blackhole), by direction"
                        + " and kind.");
        for (Direction d : Direction.values()) {
            FlowStats f = stats.of(d);
            for (Impairment what : Impairment.values()) {
                builder.dataPoint(point(d, what.label(), f.impaired(what)));
            }
            builder.dataPoint(point(d, "rate-limited", f.rateLimited()));
            builder.dataPoint(point(d, "blackholed", f.blackholed()));
        }
        return builder.build();
    }

    private static CounterDataPointSnapshot point(Direction d, String kind, long value) {
        return CounterDataPointSnapshot.builder().labels(Labels.of("direction", d.label(), "kind", kind))
                .value(value).build();
    }

    private static CounterSnapshot sessionEvents(ProxyStats stats) {
        return CounterSnapshot.builder().name("udpecho_proxy_sessions_events")
                .help("Sessions opened, expired (idle for the session timeout), evicted (to make room for a new"
                        + " client), and failed (no upstream socket could be opened).")
                .dataPoint(event("opened", stats.sessionsOpened()))
                .dataPoint(event("expired", stats.sessionsExpired()))
                .dataPoint(event("evicted", stats.sessionsEvicted()))
                .dataPoint(event("failed", stats.sessionErrors()))
                .build();
    }

    private static CounterDataPointSnapshot event(String event, long value) {
        return CounterDataPointSnapshot.builder().labels(Labels.of("event", event)).value(value).build();
    }
}
