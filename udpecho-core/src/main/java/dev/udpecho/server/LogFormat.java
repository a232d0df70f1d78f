package dev.udpecho.server;

import dev.udpecho.net.Addresses;
import dev.udpecho.net.PeerAddress;
import dev.udpecho.text.JsonLine;
import dev.udpecho.text.PayloadText;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How the server's log lines look: {@link #TEXT}, the tutorial's {@code Message[IP:PORT] - DATA}, or
 * {@link #JSON}, one object per line for log collectors:
 * <pre>{@code {"timestamp":"2026-01-01T12:00:00.123Z","level":"INFO","event":"datagram","source":"127.0.0.1:46622","bytes":5,"payload":"hello","truncated":false}}</pre>
 *
 * <p>Lines are formatted on the log's writer thread ({@link AsyncServerLog}), never on the receive path. Every
 * method is stateless and safe to call from any thread.
 */
public enum LogFormat {
    /** The tutorial's lines. */
    TEXT {
        @Override
        void appendMessage(StringBuilder line, long millis, PeerAddress source, byte[] preview, int length,
                           boolean complete, int datagramLength, int previewBytes) {
            line.append("Message[");
            Addresses.appendTo(line, source);
            line.append("] - ");
            PayloadText.appendPreview(line, preview, 0, length, complete, datagramLength, previewBytes);
        }

        @Override
        void appendNotice(StringBuilder line, long millis, String text) {
            line.append(text);
        }

        @Override
        void appendLinesDropped(StringBuilder line, long millis, long count) {
            line.append("... ").append(count).append(" messages not shown");
        }
    },
    /** JSON lines: timestamp, level and event in each, and the event's own fields. */
    JSON {
        @Override
        void appendMessage(StringBuilder line, long millis, PeerAddress source, byte[] preview, int length,
                           boolean complete, int datagramLength, int previewBytes) {
            StringBuilder text = new StringBuilder(length + 64);
            Addresses.appendTo(text, source);
            int sourceEnd = text.length();
            boolean cut = PayloadText.appendPreviewText(text, preview, 0, length, complete, previewBytes);
            jsonEvent(line, millis, "INFO", "datagram").string("source", text.subSequence(0, sourceEnd))
                    .number("bytes", datagramLength).string("payload", text.subSequence(sourceEnd, text.length()))
                    .bool("truncated", cut).end();
        }

        @Override
        void appendNotice(StringBuilder line, long millis, String text) {
            jsonEvent(line, millis, "WARN", "notice").string("message", text).end();
        }

        @Override
        void appendLinesDropped(StringBuilder line, long millis, long count) {
            jsonEvent(line, millis, "WARN", "log_lines_dropped").number("count", count)
                    .string("message", count + " messages not shown").end();
        }
    };

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** @return the name given on the command line: {@code text} or {@code json}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param label {@code text} or {@code json}, in any case.
     * @return the format.
     * @throws IllegalArgumentException naming the formats there are.
     */
    public static LogFormat parse(String label) {
        for (LogFormat f : values()) {
            if (f.label().equalsIgnoreCase(label.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown log format '" + label + "' (text or json)");
    }

    /**
     * Starts a JSON log line with the fields every line has; add the event's own, then {@link JsonLine#end()}.
     *
     * @param line   where to append.
     * @param millis when it happened, in milliseconds since the epoch; shown in UTC, to the millisecond.
     * @param level  {@code INFO}, {@code WARN} or {@code ERROR}.
     * @param event  what happened, e.g. {@code datagram}, {@code listening}.
     * @return the line, open for more fields.
     */
    public static JsonLine jsonEvent(StringBuilder line, long millis, String level, String event) {
        JsonLine json = new JsonLine(line);
        StringBuilder time = new StringBuilder(24);
        TIMESTAMP.formatTo(Instant.ofEpochMilli(millis), time);
        return json.string("timestamp", time).string("level", level).string("event", event);
    }

    /** @return whether lines show when they happened, so that a time must be taken for each. */
    boolean hasTimestamps() {
        return this != TEXT;
    }

    abstract void appendMessage(StringBuilder line, long millis, PeerAddress source, byte[] preview, int length,
                                boolean complete, int datagramLength, int previewBytes);

    abstract void appendNotice(StringBuilder line, long millis, String text);

    abstract void appendLinesDropped(StringBuilder line, long millis, long count);
}
