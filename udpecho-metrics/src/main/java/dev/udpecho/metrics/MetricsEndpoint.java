package dev.udpecho.metrics;

import com.sun.net.httpserver.HttpHandler;
import dev.udpecho.bench.Prober;
import dev.udpecho.proxy.UdpProxy;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.EchoServer;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running server's, proxy's or prober's HTTP endpoint, on the JDK's HTTP server: {@code /metrics} in the
 * Prometheus text format (the counters, see {@link EchoServerCollector}, {@link ProxyCollector} and
 * {@link ProbeCollector}, and the JVM's), and {@code /healthz}, 200 while it serves and 503 otherwise. A proxy's
 * also has {@code /impairments}, to read ({@code GET}) and replace ({@code PUT}, a flat JSON object of option
 * names and values) what it does to each
 * direction while it runs.
 *
 * <pre>{@code
 * try (MetricsEndpoint metrics = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 9888), server)) {
 *     ...
 * }
 * }</pre>
 * <pre>{@code
 * curl -X PUT -d '{"up-loss": "100%"}' http://127.0.0.1:9888/impairments   # from the next datagram on
 * }</pre>
 *
 * <p>Requests are served on the endpoint's own small pool of daemon threads, never on the server's. May be
 * closed from any thread.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The port udpecho's deployment files use for this endpoint; {@code --metrics} has no default. */
    public static final int DEFAULT_PORT = 9888;
    /** Where the metrics are. */
    public static final String METRICS_PATH = "/metrics";
    /** Where the health is. */
    public static final String HEALTH_PATH = "/healthz";
    /** Where a proxy's impairments are read and replaced. */
    public static final String IMPAIRMENTS_PATH = "/impairments";

    private final HTTPServer http;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MetricsEndpoint(HTTPServer http, InetSocketAddress address) {
        this.http = http;
        this.address = address;
    }

    /**
     * @param address where to listen; port 0 picks a free one ({@link #address()} tells which).
     * @param server  the server to report on.
     * @return the endpoint, serving.
     * @throws BindFailedException if the address cannot be bound, naming it and the cause.
     */
    public static MetricsEndpoint start(InetSocketAddress address, EchoServer server) throws BindFailedException {
        Objects.requireNonNull(server, "server");
        return start(address, new EchoServerCollector(server), true, new HealthHandler(server::isServing));
    }

    /**
     * @param address where to listen; port 0 picks a free one ({@link #address()} tells which).
     * @param proxy   the proxy to report on and control.
     * @return the endpoint, serving.
     * @throws BindFailedException if the address cannot be bound, naming it and the cause.
     */
    public static MetricsEndpoint start(InetSocketAddress address, UdpProxy proxy) throws BindFailedException {
        Objects.requireNonNull(proxy, "proxy");
        return start(address, new ProxyCollector(proxy), true, new ProxyHttpHandler(proxy));
    }

    /**
     * @param address where to listen; port 0 picks a free one ({@link #address()} tells which).
     * @param prober  the prober to report on: its series only, not the JVM's.
     * @param labels  the prober's own labels, on every series (e.g. {@code node=a}).
     * @return the endpoint, serving.
     * @throws BindFailedException if the address cannot be bound, naming it and the cause.
     */
    public static MetricsEndpoint start(InetSocketAddress address, Prober prober, Map<String, String> labels)
            throws BindFailedException {
        Objects.requireNonNull(prober, "prober");
        // Its own series only: the JVM's (and the management beans behind them) would add a tenth to the resident
        // size of a prober that runs on every node, and say the same on each.
        return start(address, new ProbeCollector(prober, labels), false, new HealthHandler(prober::isRunning));
    }

    private static MetricsEndpoint start(InetSocketAddress address, MultiCollector counts, boolean jvm,
                                         HttpHandler others) throws BindFailedException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(counts);
        if (jvm) {
            JvmMetrics.builder().register(registry);
        }
        try {
            HTTPServer http = HTTPServer.builder()
                    .inetAddress(address.getAddress())
                    .port(address.getPort())
                    .registry(registry)
                    .metricsHandlerPath(METRICS_PATH)
                    // The exporter's own health path always says healthy; ours asks what it reports on.
                    .registerHealthHandler(false)
                    .defaultHandler(others)
                    .buildAndStart();
            return new MetricsEndpoint(http, new InetSocketAddress(address.getAddress(), http.getPort()));
        } catch (IOException e) {
            throw new BindFailedException(address, e);
        }
    }

    /** @return the address and port bound. */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops serving; requests in progress are cut. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            http.close();
        }
    }
}
