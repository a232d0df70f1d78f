package dev.udpecho.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.udpecho.server.EchoServer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code /healthz}: 200 while the server's UDP sockets are bound and their threads running, 503 otherwise;
 * 404 for any other path but {@code /metrics}. Runs on the HTTP server's threads.
 */
final class HealthHandler implements HttpHandler {
    private final EchoServer server;

    HealthHandler(EchoServer server) {
        this.server = server;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals(MetricsEndpoint.HEALTH_PATH)) {
                respond(exchange, 404, "not found: try " + MetricsEndpoint.METRICS_PATH + " or "
                        + MetricsEndpoint.HEALTH_PATH + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "method not allowed\n");
            } else if (server.isServing()) {
                respond(exchange, 200, "ok\n");
            } else {
                respond(exchange, 503, "not serving\n");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
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
