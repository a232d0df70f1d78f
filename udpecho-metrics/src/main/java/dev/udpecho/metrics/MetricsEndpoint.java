package dev.udpecho.metrics;

import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.EchoServer;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running server's HTTP endpoint, on the JDK's HTTP server: {@code /metrics} in the Prometheus text format
 * (the server's counters, see {@link EchoServerCollector}, and the JVM's), and {@code /healthz}, 200 while the
 * server serves and 503 otherwise.
 *
 * <pre>{@code
 * try (MetricsEndpoint metrics = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 9888), server)) {
 *     ...
 * }
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
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new EchoServerCollector(server));
        JvmMetrics.builder().register(registry);
        try {
            HTTPServer http = HTTPServer.builder()
                    .inetAddress(address.getAddress())
                    .port(address.getPort())
                    .registry(registry)
                    .metricsHandlerPath(METRICS_PATH)
                    // The exporter's own health path always says healthy; ours asks the server.
                    .registerHealthHandler(false)
                    .defaultHandler(new HealthHandler(server))
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
