package dev.udpecho.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz}: 200 while what it reports on serves (a server's UDP sockets bound and their threads
 * running, a proxy forwarding), 503 otherwise; 404 for any other path but {@code /metrics}. Runs on the HTTP
 * server's threads.
 */
class HealthHandler implements HttpHandler {
    private final BooleanSupplier serving;

    HealthHandler(BooleanSupplier serving) {
        this.serving = serving;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals(MetricsEndpoint.HEALTH_PATH)) {
                respond(exchange, 404, "text/plain", "not found: try " + String.join(", ", paths()) + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                notAllowed(exchange, "GET, HEAD");
            } else if (serving.getAsBoolean()) {
                respond(exchange, 200, "text/plain", "ok\n");
            } else {
                respond(exchange, 503, "text/plain", "not serving\n");
            }
        }
    }

    /** @return the paths served, for the answer to any other. */
    String[] paths() {
        return new String[] {MetricsEndpoint.METRICS_PATH, MetricsEndpoint.HEALTH_PATH};
    }

    static void notAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        respond(exchange, 405, "text/plain", "method not allowed\n");
    }

    static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
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
