package dev.udpecho.bench;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A socket connected to the echo server, sending and receiving datagrams in batches through buffers allocated
 * once. Implementations: {@link NativeBatchIo} (recvmmsg/sendmmsg) and {@link ChannelBatchIo} (portable).
 *
 * <p>Threading: one thread sends ({@link #outgoing}, {@link #send}) and one receives ({@link #receive},
 * {@link #incoming}, {@link #length}); they may be the same thread or two. {@link #wake} and {@link #close} from
 * any thread.
 */
public interface BatchIo extends AutoCloseable {
    /** How long {@link #receive} waits for a first datagram, so that a loop can check its timeouts and stop. */
    int POLL_MILLIS = 10;
    /** The {@link #receivedAt} of a datagram whose receive time the socket does not report. */
    long NO_TIME = Long.MIN_VALUE;

    /** @return the most datagrams a batch holds, sent or received. */
    int batch();

    /**
     * @param i a slot of the send batch, from 0.
     * @return its buffer, little-endian, for a datagram to be written from index 0; the same instance every time.
     */
    ByteBuffer outgoing(int i);

    /**
     * Sends the datagrams in slots 0 to {@code count} − 1, each of the configured size.
     *
     * @return how many the system took; fewer when it refused some (e.g. nothing listens yet).
     * @throws IOException if the socket is closed.
     */
    int send(int count) throws IOException;

    /**
     * Waits up to {@link #POLL_MILLIS} for datagrams, then takes what is queued, up to {@link #batch()}.
     *
     * @return how many slots were filled, 0 if none came.
     * @throws IOException on a socket error, e.g. {@code Connection refused} reported for an earlier datagram;
     *                     the socket is still usable.
     */
    int receive() throws IOException;

    /**
     * Takes what is queued, up to {@link #batch()}, without waiting.
     *
     * @return how many slots were filled, 0 if none was queued.
     * @throws IOException as {@link #receive}.
     */
    int receiveQueued() throws IOException;

    /**
     * Asks the socket to report when the kernel received each datagram, so that a thread that takes replies
     * only now and then still times each one. Call before the first receive.
     *
     * @return whether it will ({@link #receivedAt}); false where the transport cannot.
     * @throws IOException if the socket is closed.
     */
    boolean receiveTimes() throws IOException;

    /**
     * @return when the kernel received the datagram in slot {@code i}, in {@link System#nanoTime()}'s terms, or
     *     {@link #NO_TIME} without {@link #receiveTimes}.
     */
    long receivedAt(int i);

    /** @return the buffer of received slot {@code i}, little-endian, its datagram from index 0. */
    ByteBuffer incoming(int i);

    /** @return the length of the datagram in received slot {@code i}; more than the reply size if it was cut. */
    int length(int i);

    /** Wakes a thread blocked in {@link #receive}. */
    void wake();

    @Override
    void close();
}
