package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;

import java.nio.ByteBuffer;

/**
 * Where the server reports what it receives ({@code Message[IP:PORT] - DATA}) and what else happens to it.
 *
 * <p>{@link #message} is called on an event loop for every datagram: it must not block, and may drop
 * lines (counting them) when it cannot keep up. {@link #notice} may be called from any thread.
 */
public interface ServerLog extends AutoCloseable {
    /** Shows nothing. */
    ServerLog SILENT = new ServerLog() {
        @Override
        public void message(PeerAddress source, ByteBuffer payload) {
        }

        @Override
        public void notice(String line) {
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    /**
     * Records one received datagram. The bytes it needs are copied before it returns.
     *
     * @param source  where the datagram came from; copied.
     * @param payload its bytes, from {@code position} to {@code limit}; read with absolute gets, left as it is.
     */
    void message(PeerAddress source, ByteBuffer payload);

    /** @param line one line of text about the server (an error, a warning); printed even when messages are not. */
    void notice(String line);

    /** @return per-datagram lines not shown because the log could not keep up. */
    long dropped();

    /** Writes what is queued and stops; waits at most about a second. */
    @Override
    void close();
}
