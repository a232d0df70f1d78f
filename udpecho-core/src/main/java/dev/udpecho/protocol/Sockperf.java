package dev.udpecho.protocol;

import java.nio.ByteBuffer;

/**
 * sockperf's message header (its {@code src/message.h}), in network byte order at the start of every datagram:
 * a 64-bit sequence number, 16 bits of flags ({@link #CLIENT}, {@link #PONG_REQUEST}, {@link #WARMUP}) and the
 * 32-bit length of the whole message. A server answers a client message that asks for a pong with the same
 * message, its client flag cleared; it answers nothing else.
 *
 * <p>Static, allocation-free helpers over absolute positions of any buffer, whatever its byte order.
 */
public final class Sockperf {
    /** Header bytes: the smallest message. */
    public static final int HEADER = 14;
    public static final int SEQUENCE = 0;
    public static final int FLAGS = 8;
    public static final int LENGTH = 10;
    /** Sent by a client; a server clears it in its reply and ignores messages without it. */
    public static final int CLIENT = 1;
    /** The client asks for a reply. */
    public static final int PONG_REQUEST = 2;
    /** A warm-up message: never answered. */
    public static final int WARMUP = 4;

    private Sockperf() {
    }

    public static long sequence(ByteBuffer b, int at) {
        return Bytes.getLong(b, at + SEQUENCE);
    }

    public static int flags(ByteBuffer b, int at) {
        return Bytes.getShort(b, at + FLAGS);
    }

    /** @return the length the header names, as an unsigned value. */
    public static long length(ByteBuffer b, int at) {
        return Bytes.getInt(b, at + LENGTH) & 0xFFFF_FFFFL;
    }

    /** Writes the flags of the header at {@code at}. */
    public static void writeFlags(ByteBuffer b, int at, int flags) {
        Bytes.putShort(b, at + FLAGS, flags);
    }

    /** Writes a header at {@code at}. */
    public static void writeHeader(ByteBuffer b, int at, long sequence, int flags, int length) {
        Bytes.putLong(b, at + SEQUENCE, sequence);
        Bytes.putShort(b, at + FLAGS, flags);
        Bytes.putInt(b, at + LENGTH, length);
    }
}
