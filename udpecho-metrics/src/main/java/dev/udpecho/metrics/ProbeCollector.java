package dev.udpecho.metrics;

import dev.udpecho.bench.ProbeStats;
import dev.udpecho.bench.Prober;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A running prober's metrics, one series per target (label {@code target}) and the prober's own labels on every
 * one (its identity, e.g. {@code node="a"}): probes sent and their outcomes, round trips in buckets from 10 µs to
 * 10 s, and {@code udpecho_probe_up}. Read from one {@link Prober#stats()} per scrape: a target gone is gone
 * from the next scrape.
 *
 * <p>Thread-safe: scrapes may come from any thread, at the same time.
 */
public final class ProbeCollector implements MultiCollector {
    private final Prober prober;
    private final Labels own;

    /**
     * @param prober the prober to report on.
     * @param labels its own labels, on every series; {@code target} is not one of them.
     */
    public ProbeCollector(Prober prober, Map<String, String> labels) {
        this.prober = Objects.requireNonNull(prober, "prober");
        if (labels.containsKey("target")) {
            throw new IllegalArgumentException("the label 'target' is the prober's own: choose another name");
        }
        this.own = Labels.of(new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()));
    }

    @Override
    public MetricSnapshots collect() {
        List<ProbeStats> all = prober.stats();
        return MetricSnapshots.of(
                counter("udpecho_probe_sent", "Probes sent.", all, ProbeStats::sent),
                counter("udpecho_probe_replies", "Probes answered exactly, within the timeout.", all,
                        ProbeStats::replies),
                counter("udpecho_probe_lost", "Probes with no reply within the timeout (one answered later is also"
                        + " counted late).", all, ProbeStats::lost),
                counter("udpecho_probe_late", "Probes whose reply came after the timeout.", all, ProbeStats::late),
                counter("udpecho_probe_duplicated", "Further replies to a probe that had one.", all,
                        ProbeStats::duplicated),
                counter("udpecho_probe_reordered", "Probes answered after a later probe was.", all,
                        ProbeStats::reordered),
                counter("udpecho_probe_corrupt", "Replies whose bytes differ from the probe they answer.", all,
                        ProbeStats::corrupt),
                counter("udpecho_probe_refused", "Times the target's host said nothing listens (ICMP port"
                        + " unreachable).", all, ProbeStats::refused),
                up(all),
                roundTrips(all),
                GaugeSnapshot.builder().name("udpecho_probe_targets").help("Targets probed.")
                        .dataPoint(GaugeDataPointSnapshot.builder().labels(own).value(all.size()).build()).build(),
                CounterSnapshot.builder().name("udpecho_probe_discovery_errors")
                        .help("Times finding the targets failed (they then stayed as they were).")
                        .dataPoint(CounterDataPointSnapshot.builder().labels(own).value(prober.discoveryErrors())
                                .build()).build());
    }

    private Labels labels(ProbeStats s) {
        return own.add("target", s.target());
    }

    private CounterSnapshot counter(String name, String help, List<ProbeStats> all, ToLongFunction<ProbeStats> v) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (ProbeStats s : all) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(labels(s)).value(v.applyAsLong(s)).build());
        }
        return b.build();
    }

    private GaugeSnapshot up(List<ProbeStats> all) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("udpecho_probe_up")
                .help("1 while one of the target's last probes (--down-after) got a reply and none was refused"
                        + " since, else 0.");
        for (ProbeStats s : all) {
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(s)).value(s.up() ? 1 : 0).build());
        }
        return b.build();
    }

    private HistogramSnapshot roundTrips(List<ProbeStats> all) {
        double[] finite = ProbeStats.bounds();
        double[] bounds = java.util.Arrays.copyOf(finite, finite.length + 1);
        bounds[finite.length] = Double.POSITIVE_INFINITY;
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name("udpecho_probe_round_trip_seconds")
                .unit(Unit.SECONDS).help("Round trips of the probes answered in time.");
        for (ProbeStats s : all) {
            b.dataPoint(HistogramDataPointSnapshot.builder().labels(labels(s))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, s.buckets()))
                    .sum(s.roundTripSumNanos() / 1e9).build());
        }
        return b.build();
    }
}
