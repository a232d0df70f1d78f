package dev.udpecho.metrics;

import dev.udpecho.proxy.UdpProxy;
import dev.udpecho.server.BindFailedException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running proxy's HTTP endpoint: {@code /metrics} (its counts, see {@link ProxyCollector}, and the JVM's),
 * {@code /healthz}, and {@code /impairments} to read ({@code GET}) and replace ({@code PUT}, a flat JSON object
 * of option names and values) what the proxy does to each direction while it runs.
 *
 * <pre>{@code
 * curl -X PUT -d '{"up-loss": "100%"}' http://127.0.0.1:9888/impairments   # from the next datagram on
 * }</pre>
 *
 * <p>Requests are served on the endpoint's own threads, never on the proxy's. May be closed from any thread.
 */
public final class ProxyEndpoint implements AutoCloseable {
    /** Where the impairments are read and replaced. */
    public static final String IMPAIRMENTS_PATH = "/impairments";

    private final HTTPServer http;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProxyEndpoint(HTTPServer http, InetSocketAddress address) {
        this.http = http;
        this.address = address;
    }

    /**
     * @param address where to listen; port 0 picks a free one ({@link #address()} tells which).
     * @param proxy   the proxy to report on and control.
     * @return the endpoint, serving.
     * @throws BindFailedException if the address cannot be bound, naming it and the cause.
     */
    public static ProxyEndpoint start(InetSocketAddress address, UdpProxy proxy) throws BindFailedException {
        Objects.requireNonNull(proxy, "proxy");
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ProxyCollector(proxy));
        JvmMetrics.builder().register(registry);
        try {
            HTTPServer http = HTTPServer.builder()
                    .inetAddress(address.getAddress())
                    .port(address.getPort())
                    .registry(registry)
                    .metricsHandlerPath(MetricsEndpoint.METRICS_PATH)
                    .registerHealthHandler(false)
                    .defaultHandler(new ProxyHttpHandler(proxy))
                    .buildAndStart();
            return new ProxyEndpoint(http, new InetSocketAddress(address.getAddress(), http.getPort()));
        } catch (IOException e) {
            throw new BindFailedException(address, e);
        }
    }

    /** @return the address and port bound. */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            http.close();
        }
    }
}
