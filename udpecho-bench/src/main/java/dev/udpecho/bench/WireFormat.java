package dev.udpecho.bench;

import java.nio.ByteBuffer;

/**
 * What a bench datagram is in one protocol, and how a reply is checked against it without keeping what was
 * sent: the echo's ({@link DatagramFormat}), sockperf's ({@link SockperfFormat}) or STAMP's
 * ({@link StampFormat}).
 *
 * <p>Buffers are little-endian and accessed at absolute indexes, so a reply's limit must be at least its length: a
 * method may move a buffer's position and limit while it runs, but leaves them as they were.
 * {@link #write} is called by the sending thread, the rest by the receiving thread; allocation-free.
 */
interface WireFormat {
    /** @return bytes per datagram. */
    int size();

    /** @return bytes of a good reply. */
    int replySize();

    /**
     * Writes datagram {@code sequence} at index 0 of {@code into}.
     *
     * @param sentAt its send time, {@link System#nanoTime()} (in rate mode the scheduled time).
     */
    void write(ByteBuffer into, long sequence, long sentAt);

    /** @return the sequence number of the datagram a reply answers, or −1 if it answers none of this run's. */
    long sequence(ByteBuffer reply, int length);

    /** @return the send time of the datagram a reply answers, for a reply whose {@link #sequence} was found. */
    long sentAt(ByteBuffer reply);

    /** @return whether a reply is exactly what the datagram {@code sequence} should have come back as. */
    boolean matches(ByteBuffer reply, int length, long sequence);

    /**
     * @param now when the reply was received.
     * @return the round trip it measures, in nanoseconds: from its send time, less the time the far end says it
     *     held it (STAMP's residence time).
     */
    default long roundTrip(ByteBuffer reply, int length, long now) {
        return now - sentAt(reply);
    }
}
