package dev.udpecho.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.udpecho.proxy.ProxyImpairments;
import dev.udpecho.proxy.UdpProxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A proxy's HTTP API beside {@code /metrics}: {@code /healthz} (200 while it forwards, else 503) and
 * {@code /impairments}, whose {@code GET} gives every impairment by option name and whose {@code PUT} replaces
 * them all with those given ({@code {"up-loss": "5%", "blackhole": "down"}}; {@code {}} clears them), taking
 * effect on the next datagram, as toxiproxy's API lets a test change its toxics mid-run. Runs on the HTTP
 * server's threads.
 */
final class ProxyHttpHandler implements HttpHandler {
    /** Bodies longer than this are refused. */
    private static final int MAX_BODY = 64 * 1024;
    private final UdpProxy proxy;

    ProxyHttpHandler(UdpProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals(MetricsEndpoint.HEALTH_PATH)) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    notAllowed(exchange, "GET, HEAD");
                } else {
                    respond(exchange, proxy.isServing() ? 200 : 503, "text/plain",
                            proxy.isServing() ? "ok\n" : "not serving\n");
                }
            } else if (path.equals(ProxyEndpoint.IMPAIRMENTS_PATH)) {
                if (method.equals("GET") || method.equals("HEAD")) {
                    respond(exchange, 200, "application/json", FlatJson.write(proxy.impairments().toOptions()));
                } else if (method.equals("PUT")) {
                    put(exchange);
                } else {
                    notAllowed(exchange, "GET, HEAD, PUT");
                }
            } else {
                respond(exchange, 404, "text/plain", "not found: try " + MetricsEndpoint.METRICS_PATH + ", "
                        + MetricsEndpoint.HEALTH_PATH + " or " + ProxyEndpoint.IMPAIRMENTS_PATH + "\n");
            }
        }
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

    private static void notAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        respond(exchange, 405, "text/plain", "method not allowed\n");
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
