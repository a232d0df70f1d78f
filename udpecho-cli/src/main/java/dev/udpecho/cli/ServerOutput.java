package dev.udpecho.cli;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.net.Addresses;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.DropReason;
import dev.udpecho.server.LogFormat;
import dev.udpecho.server.ServerStats;
import dev.udpecho.text.JsonLine;

import java.io.PrintStream;
import java.net.InetSocketAddress;

/**
 * What {@code udpecho server} says about itself (its start, warnings, failures and summary), as the tutorial's
 * text lines or as JSON lines ({@code --log-format}), on the same stream either way. The line per datagram is
 * the server log's ({@link dev.udpecho.server.AsyncServerLog}), in the same format.
 *
 * <p>Used by the command's thread only.
 */
final class ServerOutput {
    private final LogFormat format;
    private final PrintStream out;
    private final PrintStream err;

    ServerOutput(LogFormat format, PrintStream out, PrintStream err) {
        this.format = format;
        this.out = out;
        this.err = err;
    }

    void socketCreated() {
        info("socket_created", "Socket created");
    }

    void socketBound() {
        info("socket_bound", "Socket bind complete");
    }

    /**
     * @param address   a UDP socket's address, as bound.
     * @param transport the transport that serves it.
     */
    void listening(InetSocketAddress address, Transport transport) {
        String url = "udp://" + Addresses.format(address);
        if (format == LogFormat.TEXT) {
            out.println("Listening on " + url + " (" + transport + ")");
        } else {
            out.println(json("INFO", "listening").string("address", url).string("transport", transport.toString())
                    .end());
        }
    }

    /** @param address the metrics endpoint's address, as bound. */
    void metricsListening(InetSocketAddress address) {
        String url = "http://" + Addresses.format(address) + "/metrics";
        if (format == LogFormat.TEXT) {
            out.println("Metrics on " + url);
        } else {
            out.println(json("INFO", "metrics_listening").string("address", url).end());
        }
    }

    /**
     * @param granted receive buffer the kernel granted, in bytes.
     * @param asked   what was asked.
     */
    void receiveBufferCapped(int granted, int asked) {
        String text = "Warning: receive buffer is " + granted + " bytes, not " + asked + ": capped by"
                + " net.core.rmem_max (raise it with: sysctl -w net.core.rmem_max=" + asked + ")";
        if (format == LogFormat.TEXT) {
            err.println(text);
        } else {
            err.println(json("WARN", "receive_buffer_capped").number("granted", granted).number("asked", asked)
                    .string("message", text).end());
        }
    }

    /**
     * @param event what failed, e.g. {@code bind_failed}.
     * @param text  the line, e.g. {@code Bind failed: [::]:8888: Address already in use}.
     */
    void failed(String event, String text) {
        if (format == LogFormat.TEXT) {
            err.println(text);
        } else {
            err.println(json("ERROR", event).string("message", text).end());
        }
    }

    /** @param stats the server's counters once stopped. */
    void summary(ServerStats stats) {
        if (format == LogFormat.TEXT) {
            out.println(summaryLine(stats));
            return;
        }
        JsonLine json = json("INFO", "summary").number("received", stats.received())
                .number("replied", stats.replied()).number("dropped", stats.droppedTotal()).object("dropped_by_reason");
        for (DropReason reason : DropReason.values()) {
            json.number(reason.label(), stats.dropped(reason));
        }
        json.end().number("bytes_received", stats.bytesReceived()).number("bytes_sent", stats.bytesSent())
                .number("empty", stats.empty()).number("socket_errors", stats.errors())
                .number("kernel_drops", stats.kernelDrops()).object("impaired");
        for (Impairment what : Impairment.values()) {
            json.number(what.label(), stats.impaired(what));
        }
        out.println(json.end().number("log_lines_dropped", stats.logDropped()).end());
    }

    /**
     * @param stats the server's counters.
     * @return e.g. {@code Summary: received 3, replied 2, dropped 1 (oversize 1), bytes in 65600, bytes out 30}.
     */
    static String summaryLine(ServerStats stats) {
        StringBuilder line = new StringBuilder("Summary: received ").append(stats.received())
                .append(", replied ").append(stats.replied())
                .append(", dropped ").append(stats.droppedTotal());
        String sep = " (";
        for (DropReason reason : DropReason.values()) {
            long n = stats.dropped(reason);
            if (n > 0) {
                line.append(sep).append(reason.label()).append(' ').append(n);
                sep = ", ";
            }
        }
        if (!sep.equals(" (")) {
            line.append(')');
        }
        line.append(", bytes in ").append(stats.bytesReceived()).append(", bytes out ").append(stats.bytesSent());
        if (stats.empty() > 0) {
            line.append(", empty ").append(stats.empty());
        }
        if (stats.errors() > 0) {
            line.append(", socket errors ").append(stats.errors());
        }
        if (stats.kernelDrops() > 0) {
            line.append(", kernel drops ").append(stats.kernelDrops());
        }
        String impairments = " (";
        for (Impairment what : Impairment.values()) {
            long n = stats.impaired(what);
            if (n > 0) {
                line.append(impairments.equals(" (") ? ", impaired" + impairments : ", ").append(what.label()).append(' ').append(n);
                impairments = ", ";
            }
        }
        if (!impairments.equals(" (")) {
            line.append(')');
        }
        if (stats.logDropped() > 0) {
            line.append(", log lines not shown ").append(stats.logDropped());
        }
        return line.toString();
    }

    private void info(String event, String text) {
        out.println(format == LogFormat.TEXT ? text : json("INFO", event).end().toString());
    }

    private static JsonLine json(String level, String event) {
        return LogFormat.jsonEvent(new StringBuilder(256), System.currentTimeMillis(), level, event);
    }
}
