package dev.udpecho.metrics;

import com.sun.net.httpserver.HttpExchange;
import dev.udpecho.proxy.ProxyImpairments;
import dev.udpecho.proxy.UdpProxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A proxy's HTTP API beside {@code /metrics}: {@code /healthz} (200 while it forwards, else 503, as
 * {@link HealthHandler}) and {@code /impairments}, whose {@code GET} gives every impairment by option name and
 * whose {@code PUT} replaces them all with those given ({@code {"up-loss": "5%", "blackhole": "down"}}; {@code {}}
 * clears them), taking effect on the next datagram, as toxiproxy's API lets a test change its toxics mid-run.
 * Runs on the HTTP server's threads.
 */
final class ProxyHttpHandler extends HealthHandler {
    /** Bodies longer than this are refused. */
    private static final int MAX_BODY = 64 * 1024;
    private final UdpProxy proxy;

    ProxyHttpHandler(UdpProxy proxy) {
        super(proxy::isServing);
        this.proxy = proxy;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(MetricsEndpoint.IMPAIRMENTS_PATH)) {
            super.handle(exchange);
            return;
        }
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (method.equals("GET") || method.equals("HEAD")) {
                respond(exchange, 200, "application/json", FlatJson.write(proxy.impairments().toOptions()));
            } else if (method.equals("PUT")) {
                put(exchange);
            } else {
                notAllowed(exchange, "GET, HEAD, PUT");
            }
        }
    }

    @Override
    String[] paths() {
        return new String[] {MetricsEndpoint.METRICS_PATH, MetricsEndpoint.HEALTH_PATH,
                MetricsEndpoint.IMPAIRMENTS_PATH};
    }

    private void put(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            respond(exchange, 413, "text/plain", "body over " + MAX_BODY + " bytes\n");
            return;
        }
        ProxyImpairments next;
        try {
            next = ProxyImpairments.parse(FlatJson.parse(new String(body, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, "text/plain", e.getMessage() + "\n");
            return;
        }
        proxy.impairments(next);
        respond(exchange, 200, "application/json", FlatJson.write(next.toOptions()));
    }
}
